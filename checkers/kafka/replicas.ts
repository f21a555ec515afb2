/**
 * Log replicas compared: after the heal, every replica of a log should hold the same messages at the same
 * offsets. The kafka checker unions what anyone saw, so a replica left behind (a truncated block that never
 * caught up) or holding another message at an offset (a cut-off leader's own append) passes it unnoticed;
 * this checker reads each node's own final read of each log and names the replica and the offsets.
 *
 * Judged on each node's last final-read round (the harness reads in rounds until the nodes agree or its bound
 * passes, so a replica still catching up at the end had the whole bound to do so):
 * - `replica-lost`: a replica lacks offsets another replica holds (its log ends early, or has holes);
 * - `replica-differs`: replicas hold different messages at one offset (the message acknowledged there, if
 *   any, is named).
 * A node that did not answer its last read of a key leaves that key undecided: the verdict is then `unknown`
 * unless some key showed a divergence. One node (a single replica) has nothing to differ from: valid. No
 * final reads at all: `unknown`.
 *
 * A failed read may still carry the replica's extent, as the node's own store reports it (`replica`: its first
 * and last offset and how many messages it holds; NATS after a damaged block, when another server answered
 * the read). Its content is unknown, but its extent is judged against the nodes that did answer, since logs
 * here never delete a message:
 * - fewer messages than offsets in its range, where another replica holds every offset of that range (a copy
 *   that was read, or an extent without holes: as many messages as offsets): the replica lost that many
 *   messages somewhere in the range (`replica-lost`, naming the range and the count);
 * - a range that ends before what another replica holds: it lacks the offsets after its end (`replica-lost`);
 * - otherwise its messages could be the others' or not: the log stays undecided, with the extent in the reason.
 */
import { canon } from '../../histories/canon.js';
import type { Op } from '../../histories/op.js';
import type { Checker } from '../checker.js';
import { finalReads, type FinalReadRecord } from '../final-reads.js';
import { firstFew } from '../labels.js';
import { pairOps } from '../op-records.js';
import type { Anomaly, CheckResult } from '../result.js';
import { observe, pairsOf } from './observations.js';

const NAME = 'log-replicas';
/** Anomalies listed in full; the stats count them all. */
const LIST_LIMIT = 20;

/** "3, 5–9, 12": sorted offsets as runs, for people. */
export function offsetRuns(sorted: readonly number[]): string {
  const runs: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    runs.push(j === i ? String(sorted[i]) : `${sorted[i]}–${sorted[j]}`);
    i = j + 1;
  }
  return firstFew(runs, 6);
}

/** Each node's last final read of each key (by round; a later record of the same round wins). */
function lastReads(reads: readonly FinalReadRecord[]): Map<string, Map<string, FinalReadRecord>> {
  const out = new Map<string, Map<string, FinalReadRecord>>();
  for (const r of reads) {
    if (r.key === undefined) continue;
    const key = String(r.key);
    let byNode = out.get(key);
    if (!byNode) out.set(key, (byNode = new Map()));
    const prev = byNode.get(r.node);
    if (!prev || r.round >= prev.round) byNode.set(r.node, r);
  }
  return out;
}

const nodeList = (ns: readonly string[]): string => [...ns].sort().join(', ');

/** What a node's own store says its replica of a log holds, when its content could not be read. */
interface Extent {
  first: number;
  last: number;
  count: number;
}

/** The `replica` a failed final read carries, when it is a well-formed extent; else undefined. */
function extentOf(completion: unknown): Extent | undefined {
  const r = (completion as { replica?: unknown } | undefined)?.replica as Record<string, unknown> | undefined;
  if (!r || typeof r !== 'object') return undefined;
  const { first, last, count } = r;
  const int = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
  if (!int(first) || !int(last) || !int(count)) return undefined;
  if (count === 0) return { first, last, count };
  // Offsets are walked one by one: an extent no run of this harness could make is not believed.
  return first <= last && count <= last - first + 1 && last - first < MAX_EXTENT ? { first, last, count } : undefined;
}

const MAX_EXTENT = 1_000_000;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A replica another one is judged against: a copy that was read, or an extent with no hole (count = its range). */
interface Holder {
  node: string;
  has(offset: number): boolean;
  /** Every offset it holds above `end`, ascending. */
  above(end: number): number[];
  byExtent: boolean;
}

function holdersOf(copies: ReadonlyMap<string, ReadonlyMap<number, string>>, extents: readonly [string, Extent][]): Holder[] {
  const out: Holder[] = [...copies].map(([node, c]) => ({
    node,
    has: (o: number) => c.has(o),
    above: (end: number) => [...c.keys()].filter((o) => o > end).sort((x, y) => x - y),
    byExtent: false,
  }));
  for (const [node, e] of extents) {
    if (e.count === 0 || e.count !== e.last - e.first + 1) continue;
    out.push({
      node,
      has: (o: number) => o >= e.first && o <= e.last,
      above: (end: number) => Array.from({ length: Math.max(0, e.last - Math.max(end, e.first - 1)) }, (_, i) => Math.max(end, e.first - 1) + 1 + i),
      byExtent: true,
    });
  }
  return out;
}

/** "n1, n3 hold": who holds what is named, and, after `what`, which of them are known only by their store's count. */
const whoHold = (hs: readonly Holder[], what: string): string => {
  const byExtent = hs.filter((h) => h.byExtent).map((h) => h.node);
  const told = byExtent.length > 0 ? ` (${nodeList(byExtent)} by ${byExtent.length === 1 ? 'its' : 'their'} own store's count)` : '';
  return `${nodeList(hs.map((h) => h.node))} hold${hs.length === 1 ? 's' : ''} ${what}${told}`;
};

/**
 * What the extent of a replica whose content is unknown shows against the other replicas (copies read, and
 * extents without holes): a `replica-lost` anomaly when it shows a loss, else a sentence for the reason the
 * log stays undecided.
 */
function judgeExtent(key: string, node: string, e: Extent, others: readonly Holder[], acked: ReadonlyMap<string, unknown>): { anomaly?: Anomaly; note: string } {
  const span = e.count === 0 ? 'nothing' : `${plural(e.count, 'message')} in offsets ${e.first}–${e.last}`;
  const own = `${node}'s copy of log ${key} holds ${span} (its own store says so; its messages could not be read)`;
  const missing = e.count === 0 ? 0 : e.last - e.first + 1 - e.count;
  const holdAll = missing > 0 ? others.filter((h) => Array.from({ length: e.last - e.first + 1 }, (_, i) => e.first + i).every((o) => h.has(o))) : [];
  if (holdAll.length > 0) {
    return {
      anomaly: { kind: 'replica-lost', key, node, range: [e.first, e.last], missing, message: `${own}, while ${whoHold(holdAll, 'every offset of that range')}: ${node} lacks ${plural(missing, 'offset')} somewhere in ${e.first}–${e.last}` },
      note: '',
    };
  }
  const end = e.count === 0 ? 0 : e.last;
  const after = [...new Set(others.flatMap((h) => h.above(end)))].sort((x, y) => x - y);
  if (after.length > 0) {
    const holders = others.filter((h) => after.some((o) => h.has(o)));
    const ackedLacks = after.filter((o) => acked.has(`${key}@${o}`)).length;
    return {
      anomaly: {
        kind: 'replica-lost',
        key,
        node,
        offsets: after,
        message: `${own}, while ${whoHold(holders, `offsets up to ${after[after.length - 1]}`)}: ${node} lacks ${offsetRuns(after)} (${plural(after.length, 'offset')}, ${ackedLacks} of them acknowledged sends)`,
      },
      note: '',
    };
  }
  return { note: `${node}'s store holds ${span}, as far as the others go, but its messages could not be read` };
}

export function checkLogReplicas(ops: readonly Op[]): CheckResult {
  let reads: FinalReadRecord[];
  let acked: Map<string, { msg: unknown; op: number }>;
  try {
    reads = finalReads(pairOps(ops));
    acked = new Map(observe(ops).acked.map((a) => [`${a.key}@${a.offset}`, { msg: a.msg, op: a.op }]));
  } catch (err) {
    return { checker: NAME, valid: 'unknown', anomalies: [], stats: {}, reason: (err as Error).message };
  }
  if (reads.length === 0) return { checker: NAME, valid: 'unknown', anomalies: [], stats: {}, reason: 'no final reads: the replicas were never read' };

  const all: Anomaly[] = [];
  const uncompared: string[] = [];
  let lostOffsets = 0;
  let differingOffsets = 0;
  let judgedByExtent = 0;
  const keys = lastReads(reads);
  for (const [key, byNode] of [...keys].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))) {
    /** node → offset → canonical message */
    const copies = new Map<string, Map<number, string>>();
    const silent: string[] = [];
    const extents: [string, Extent][] = [];
    for (const [node, r] of byNode) {
      const pairs = r.ok ? pairsOf(r.value ?? []) : undefined;
      if (!pairs) {
        const error = r.rec.completion?.error;
        silent.push(r.ok ? `${node} (not a list of [offset, msg])` : error === undefined ? node : `${node} (${String(typeof error === 'string' ? error : canon(error)).slice(0, 300)})`);
        const extent = r.ok ? undefined : extentOf(r.rec.completion);
        if (extent) extents.push([node, extent]);
        continue;
      }
      copies.set(node, new Map(pairs.map(([o, m]) => [o, canon(m)])));
    }
    // A replica known only by its extent: a loss it shows is a finding; else it leaves the log undecided.
    const notes: string[] = [];
    for (const [node, e] of extents.sort(([a], [b]) => a.localeCompare(b))) {
      const j = judgeExtent(key, node, e, holdersOf(copies, extents).filter((h) => h.node !== node), acked);
      if (j.anomaly) {
        all.push(j.anomaly);
        lostOffsets += (j.anomaly.missing as number | undefined) ?? (j.anomaly.offsets as number[]).length;
        judgedByExtent++;
      } else notes.push(j.note);
    }
    // A node that did not answer may be the one left behind: the others are still compared, but agreement
    // among them is not agreement of every replica.
    if (silent.length > 0) uncompared.push(`log ${key} (${copies.size} of ${byNode.size} nodes answered the last round; not ${[...silent].sort().join('; ')}${notes.length ? `; ${notes.join('; ')}` : ''})`);
    if (copies.size < 2) continue;
    const union = new Map<number, Map<string, string[]>>();
    for (const [node, copy] of copies) {
      for (const [offset, msg] of copy) {
        let held = union.get(offset);
        if (!held) union.set(offset, (held = new Map()));
        const ns = held.get(msg) ?? [];
        ns.push(node);
        held.set(msg, ns);
      }
    }
    const offsets = [...union.keys()].sort((a, b) => a - b);
    const top = offsets.length > 0 ? offsets[offsets.length - 1] : -1;
    for (const [node, copy] of [...copies].sort(([a], [b]) => a.localeCompare(b))) {
      const lacks = offsets.filter((o) => !copy.has(o));
      if (lacks.length === 0) continue;
      lostOffsets += lacks.length;
      const own = [...copy.keys()];
      const end = own.length > 0 ? Math.max(...own) : undefined;
      const ackedLacks = lacks.filter((o) => acked.has(`${key}@${o}`)).length;
      const holders = nodeList([...copies.keys()].filter((n) => n !== node && lacks.some((o) => copies.get(n)!.has(o))));
      const shape = end === undefined ? `${node}'s copy of log ${key} is empty` : lacks.every((o) => o > end) ? `${node}'s copy of log ${key} ends at offset ${end}` : `${node}'s copy of log ${key} has holes`;
      all.push({
        kind: 'replica-lost',
        key,
        node,
        offsets: lacks,
        message: `${shape}, while ${holders} hold${holders.includes(',') ? '' : 's'} offsets up to ${top}: ${node} lacks ${offsetRuns(lacks)} (${lacks.length} offset${lacks.length === 1 ? '' : 's'}, ${ackedLacks} of them acknowledged sends)`,
      });
    }
    for (const offset of offsets) {
      const held = union.get(offset)!;
      if (held.size < 2) continue;
      differingOffsets++;
      const ack = acked.get(`${key}@${offset}`);
      const ackC = ack ? canon(ack.msg) : undefined;
      const groups = [...held].map(([msg, ns]) => `${nodeList(ns)} hold${ns.length === 1 ? 's' : ''} ${msg}${msg === ackC ? ` (acknowledged at this offset, op ${ack!.op})` : ''}`);
      const wrong = ackC !== undefined && held.has(ackC) ? nodeList([...held].filter(([m]) => m !== ackC).flatMap(([, ns]) => ns)) : undefined;
      all.push({
        kind: 'replica-differs',
        key,
        offset,
        nodes: [...held.values()].flat().sort(),
        message: `log ${key}, offset ${offset}: ${groups.join('; ')}${wrong ? `: ${wrong} hold${wrong.includes(',') ? '' : 's'} another message than the one acknowledged` : ''}`,
      });
    }
  }
  const count = (k: string) => all.filter((a) => a.kind === k).length;
  const stats = { logs: keys.size, uncompared: uncompared.length, 'replica-lost': count('replica-lost'), 'replica-differs': count('replica-differs'), lostOffsets, differingOffsets, judgedByExtent };
  const anomalies = ['replica-lost', 'replica-differs'].flatMap((k) => all.filter((a) => a.kind === k).slice(0, LIST_LIMIT));
  // Two messages at one offset contradict any promise a log makes; a replica behind is a convergence failure.
  if (all.length > 0) return { checker: NAME, valid: false, anomalies, stats, facts: { converged: false, ...(differingOffsets > 0 ? { consistent: false } : {}) } };
  if (uncompared.length > 0) return { checker: NAME, valid: 'unknown', anomalies: [], stats, reason: `could not compare replicas of ${firstFew(uncompared, 3)}` };
  return { checker: NAME, valid: true, anomalies: [], stats, facts: { converged: true } };
}

export const logReplicasChecker: Checker = { name: NAME, check: (h) => checkLogReplicas(h) };
