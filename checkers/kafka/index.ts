/**
 * The kafka checker, after jepsen.tests.kafka (as Maelstrom's kafka workload uses it). Logs are keyed; each
 * offset of a log holds at most one message. From the acknowledged sends, the polls and the final reads it
 * finds:
 *
 * - `inconsistent-offsets`: one offset of a log seen with two different messages;
 * - `duplicate`: one message of a log at two offsets;
 * - `lost-write`: an acknowledged message no poll or final read ever returned, although some returned a
 *   higher offset of that log (the message was passed over for good);
 * - `unseen`: an acknowledged message no poll or final read returned, when nothing higher was seen either
 *   (only an error once final reads happened: there is no recency requirement during the run);
 * - `poll-skip`: a client's polls of a log jumped over an offset known to hold a message, within one poll or
 *   between two polls with no `assign` between them;
 * - `nonmonotonic-poll`: a client's polled offsets of a log did not strictly increase (same scope);
 * - `nonmonotonic-send`: a client's acknowledged sends to a log got offsets that did not strictly increase.
 *
 * Each finding names the key, the offsets and the ops. A history with nothing acknowledged is `unknown`.
 */
import { canon } from '../../histories/canon.js';
import type { Anomaly, CheckResult } from '../result.js';
import type { Op } from '../../histories/op.js';
import { observe, type Observations, type Pair } from './observations.js';
import type { Checker } from '../checker.js';

export const KAFKA_FINDINGS = ['inconsistent-offsets', 'duplicate', 'lost-write', 'unseen', 'poll-skip', 'nonmonotonic-poll', 'nonmonotonic-send'] as const;
export type KafkaFinding = (typeof KAFKA_FINDINGS)[number];

/** At most this many anomalies of each kind are listed; the counts in `stats` are complete. */
const LIST_LIMIT = 10;

function inconsistentOffsets(o: Observations, out: Anomaly[]): void {
  for (const [key, byOffset] of o.offsets) {
    for (const [offset, msgs] of byOffset) {
      if (msgs.size < 2) continue;
      out.push({ kind: 'inconsistent-offsets', key, offset, msgs: [...msgs.values()], message: `log ${key}: offset ${offset} was seen holding ${[...msgs.keys()].join(' and ')}` });
    }
  }
}

function duplicates(o: Observations, out: Anomaly[]): void {
  const where = new Map<string, Map<string, Set<number>>>();
  const note = (key: string, offset: number, msg: unknown): void => {
    let m = where.get(key);
    if (!m) where.set(key, (m = new Map()));
    const c = canon(msg);
    let at = m.get(c);
    if (!at) m.set(c, (at = new Set()));
    at.add(offset);
  };
  for (const a of o.acked) note(a.key, a.offset, a.msg);
  for (const [key, m] of o.polled) for (const [c, offs] of m) for (const off of offs) note(key, off, JSON.parse(c));
  for (const [key, m] of where) {
    for (const [c, offs] of m) {
      if (offs.size < 2) continue;
      const list = [...offs].sort((a, b) => a - b);
      out.push({ kind: 'duplicate', key, msg: JSON.parse(c), offsets: list, message: `log ${key}: message ${c} is at offsets ${list.join(', ')}` });
    }
  }
}

function lostAndUnseen(o: Observations, out: Anomaly[]): void {
  for (const a of o.acked) {
    if (o.polled.get(a.key)?.has(canon(a.msg))) continue;
    const max = o.maxPolled.get(a.key) ?? -1;
    if (max > a.offset) {
      out.push({ kind: 'lost-write', key: a.key, offset: a.offset, msg: a.msg, op: a.op, message: `log ${a.key}: send of ${canon(a.msg)} was acknowledged at offset ${a.offset} (op ${a.op}), but no poll or final read ever returned it, though they reached offset ${max}` });
    } else if (o.finalReads > 0) {
      out.push({ kind: 'unseen', key: a.key, offset: a.offset, msg: a.msg, op: a.op, message: `log ${a.key}: send of ${canon(a.msg)} was acknowledged at offset ${a.offset} (op ${a.op}), but no poll or final read ever returned it` });
    }
  }
}

/** Offsets of `key` known to hold a message, sorted, for finding what lies strictly between two offsets. */
function knownOffsets(o: Observations): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [key, byOffset] of o.offsets) out.set(key, [...byOffset.keys()].sort((a, b) => a - b));
  return out;
}

/** The known offsets strictly between lo and hi (binary search on the sorted list). */
function between(sorted: readonly number[], lo: number, hi: number): number[] {
  let a = 0;
  let b = sorted.length;
  while (a < b) {
    const mid = (a + b) >> 1;
    if (sorted[mid] <= lo) a = mid + 1;
    else b = mid;
  }
  const out: number[] = [];
  for (let i = a; i < sorted.length && sorted[i] < hi; i++) out.push(sorted[i]);
  return out;
}

function clientOrder(o: Observations, out: Anomaly[]): void {
  const known = knownOffsets(o);
  for (const [process, events] of o.byProcess) {
    /** key → last polled offset since the last assign of that key */
    const lastPolled = new Map<string, { offset: number; op: number }>();
    const lastSent = new Map<string, { offset: number; op: number }>();
    for (const e of events) {
      if (e.kind === 'assign') {
        for (const k of e.keys) lastPolled.delete(k);
        continue;
      }
      if (e.kind === 'send') {
        const prev = lastSent.get(e.key);
        if (prev && e.offset <= prev.offset) {
          out.push({ kind: 'nonmonotonic-send', key: e.key, process, offsets: [prev.offset, e.offset], ops: [prev.op, e.op], message: `log ${e.key}: p${String(process)}'s send (op ${e.op}) got offset ${e.offset}, not above its earlier send's ${prev.offset} (op ${prev.op})` });
        }
        lastSent.set(e.key, { offset: e.offset, op: e.op });
        continue;
      }
      for (const [key, pairs] of e.msgs) pollOrder(process, key, pairs, e.op, lastPolled, known.get(key) ?? [], out);
    }
  }
}

function pollOrder(
  process: string | number,
  key: string,
  pairs: readonly Pair[],
  op: number,
  lastPolled: Map<string, { offset: number; op: number }>,
  known: readonly number[],
  out: Anomaly[],
): void {
  let prev = lastPolled.get(key);
  for (const [offset] of pairs) {
    if (prev !== undefined) {
      const scope = prev.op === op ? 'within one poll' : `after its poll op ${prev.op}`;
      if (offset <= prev.offset) {
        out.push({ kind: 'nonmonotonic-poll', key, process, offsets: [prev.offset, offset], ops: [prev.op, op], message: `log ${key}: p${String(process)}'s poll (op ${op}) returned offset ${offset} ${scope}, which had reached ${prev.offset}` });
      } else {
        const skipped = between(known, prev.offset, offset);
        if (skipped.length > 0) {
          out.push({ kind: 'poll-skip', key, process, skipped, ops: [prev.op, op], message: `log ${key}: p${String(process)}'s poll (op ${op}) went from offset ${prev.offset} to ${offset} ${scope}, skipping ${skipped.slice(0, 5).join(', ')}${skipped.length > 5 ? ', …' : ''}, which hold messages` });
        }
      }
    }
    if (prev === undefined || offset > prev.offset) prev = { offset, op };
  }
  if (prev) lastPolled.set(key, prev);
}

export function checkKafka(ops: readonly Op[]): CheckResult {
  let o: Observations;
  try {
    o = observe(ops);
  } catch (err) {
    return { checker: 'kafka', valid: 'unknown', anomalies: [], stats: {}, reason: (err as Error).message };
  }
  const all: Anomaly[] = [];
  inconsistentOffsets(o, all);
  duplicates(o, all);
  lostAndUnseen(o, all);
  clientOrder(o, all);
  const counts = Object.fromEntries(KAFKA_FINDINGS.map((k) => [k, all.filter((a) => a.kind === k).length])) as Record<KafkaFinding, number>;
  const anomalies = KAFKA_FINDINGS.flatMap((k) => all.filter((a) => a.kind === k).slice(0, LIST_LIMIT));
  const polls = [...o.byProcess.values()].flat().filter((e) => e.kind === 'poll').length;
  const stats = { sends: o.acked.length, polls, finalReads: o.finalReads, malformed: o.malformed.length, ...counts };
  if (all.length > 0) return { checker: 'kafka', valid: false, anomalies, stats };
  if (o.malformed.length > 0) {
    return { checker: 'kafka', valid: 'unknown', anomalies: [], stats, reason: `${o.malformed.length} op(s) could not be read as kafka ops (first: op ${o.malformed[0].op}: ${o.malformed[0].why})` };
  }
  if (o.acked.length === 0) return { checker: 'kafka', valid: 'unknown', anomalies: [], stats, reason: 'no send was acknowledged' };
  return { checker: 'kafka', valid: true, anomalies: [], stats };
}

export const kafkaChecker: Checker = {
  name: 'kafka',
  check: (h) => {
    const r = checkKafka(h);
    const s = r.stats as Record<KafkaFinding, number>;
    const broken = s['inconsistent-offsets'] + s.duplicate + s['poll-skip'] + s['nonmonotonic-poll'] + s['nonmonotonic-send'];
    // Only a contradiction is an opinion on consistency; a clean log says nothing of linearizability.
    return { ...r, facts: { lostWrites: (s['lost-write'] ?? 0) + (s.unseen ?? 0), ...(broken > 0 ? { consistent: false } : {}) } };
  },
};
