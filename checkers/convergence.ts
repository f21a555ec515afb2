/**
 * Eventual convergence: after the heal and the quiescence window, every node must hold the same state, and
 * that state must keep every acknowledged write.
 *
 * Judged on the last round of final reads:
 * - divergent: two nodes answered with different values for a key (sets compared as sets);
 * - set keys: an acknowledged add missing from every node is lost; an element no add ever proposed is a
 *   phantom; an element whose add failed is a visible failed write (fail means it certainly did not happen);
 * - register keys (last writer wins): a held value no write wrote is a phantom; a held value whose write
 *   completed before another acknowledged write to the key was invoked is superseded — that later write,
 *   which LWW had to keep, is lost; null held while acknowledged writes exist loses them all.
 * Time to converge: from the `heal` event to the end of the first round in which every node answered every
 * key with the same value (an upper bound: the state agreed by then). If the harness' bound ran out
 * (`final-reads-done` says converged: false) the result is a failure "not converged by the bound".
 * No final reads: unknown. A node that did not answer the last round (and nothing else wrong): unknown.
 */
import type { Key, Op } from '../histories/op.js';
import type { Anomaly, CheckResult } from './result.js';
import type { Checker } from './checker.js';
import { canon } from '../histories/canon.js';
import { FINAL_READ } from '../histories/conventions.js';
import { healEvent } from './fault-windows.js';
import { finalReads, finalReadsDone, type FinalReadRecord } from './final-reads.js';
import { firstFew, keyLabel } from './labels.js';
import { pairOps, setElements, type OpRecord } from './op-records.js';

export interface ConvergenceOptions {
  /** Every node of the cluster; defaults to the nodes that appear in the final reads. */
  nodes?: string[];
}

/**
 * A value some node holds that no write proposed (a phantom), or that only failed writes proposed (a write
 * the client was told did not happen, yet did).
 */
function unwrittenHeld(
  what: 'set' | 'register',
  k: Key | undefined,
  c: string,
  h: { value: unknown; nodes: string[] },
  ws: WriteInfo[] | undefined,
): Anomaly | undefined {
  const verb = what === 'set' ? 'add' : 'write';
  const where = `${what} ${keyLabel(k)} on ${h.nodes.join(', ')} holds ${c}`;
  if (!ws) return { kind: 'phantom', key: k, value: h.value, nodes: h.nodes, message: `${where}, which no ${verb} ever ${what === 'set' ? 'proposed' : 'wrote'}` };
  if (ws.every((w) => w.rec.outcome === 'fail')) {
    const op = ws[0].rec.invoke.index;
    return { kind: 'failed-write-visible', key: k, value: h.value, nodes: h.nodes, op, message: `${where}, whose ${verb} (op ${op}) failed` };
  }
  return undefined;
}

interface WriteInfo {
  rec: OpRecord;
  value: unknown;
}

/** For each key: every value some op tried to write (write, cas new value, add). */
function writesByKey(records: readonly OpRecord[]): Map<Key | undefined, Map<string, WriteInfo[]>> {
  const out = new Map<Key | undefined, Map<string, WriteInfo[]>>();
  const put = (rec: OpRecord, value: unknown): void => {
    let m = out.get(rec.key);
    if (!m) out.set(rec.key, (m = new Map()));
    const c = canon(value);
    const list = m.get(c) ?? [];
    list.push({ rec, value });
    m.set(c, list);
  };
  for (const r of records) {
    if (typeof r.process !== 'number') continue;
    if (r.f === 'write' || r.f === 'add') put(r, r.invoke.value);
    else if (r.f === 'cas' && Array.isArray(r.invoke.value) && r.invoke.value.length === 2) put(r, r.invoke.value[1]);
  }
  return out;
}

/** Canonical form of one node's answer: sets as sorted element lists, so order does not count. */
function stateKey(fr: FinalReadRecord, isSet: boolean): string {
  if (!isSet) return canon(fr.value ?? null);
  const src = fr.rec.completion ?? fr.rec.invoke;
  return canon(setElements(src).map(canon).sort());
}

/** Ok answers of one round, by key then node (a later answer from the same node wins). */
function answersByKey(reads: readonly FinalReadRecord[]): Map<Key | undefined, Map<string, FinalReadRecord>> {
  const out = new Map<Key | undefined, Map<string, FinalReadRecord>>();
  for (const fr of reads) {
    if (!fr.ok) continue;
    let m = out.get(fr.key);
    if (!m) out.set(fr.key, (m = new Map()));
    m.set(fr.node, fr);
  }
  return out;
}

function roundAgrees(
  reads: readonly FinalReadRecord[],
  keys: readonly (Key | undefined)[],
  nodes: readonly string[],
  isSet: (k: Key | undefined) => boolean,
): boolean {
  const answers = answersByKey(reads);
  for (const k of keys) {
    const byNode = answers.get(k);
    if (!byNode || nodes.some((n) => !byNode.has(n))) return false;
    const states = new Set<string>();
    for (const fr of byNode.values()) states.add(stateKey(fr, isSet(k)));
    if (states.size > 1) return false;
  }
  return true;
}

const secs = (ns: number): number => Math.round(ns / 1e6) / 1000;

export function checkConvergence(ops: readonly Op[], opts: ConvergenceOptions = {}): CheckResult {
  const records = pairOps(ops);
  const frs = finalReads(records);
  const done = finalReadsDone(ops);
  if (frs.length === 0) {
    return {
      checker: 'convergence',
      valid: 'unknown',
      anomalies: [],
      stats: { finalReads: 0 },
      facts: { convergence: { secondsToConverge: null, secondsAfterLoad: null } },
      reason: 'the history has no final reads, so convergence cannot be judged',
    };
  }

  const nodes = opts.nodes ?? [...new Set(frs.map((f) => f.node))].sort();
  const keys = [...new Set(frs.map((f) => f.key))];
  const writes = writesByKey(records);
  const addKeys = new Set(records.filter((r) => r.f === 'add').map((r) => r.key));
  for (const f of frs) if (f.ok && Array.isArray(f.value)) addKeys.add(f.key);
  const isSet = (k: Key | undefined): boolean => addKeys.has(k);

  const byRound = new Map<number, FinalReadRecord[]>();
  for (const f of frs) {
    const l = byRound.get(f.round);
    if (l) l.push(f);
    else byRound.set(f.round, [f]);
  }
  const rounds = [...byRound.keys()].sort((a, b) => a - b);
  const lastRound = rounds[rounds.length - 1];
  const heal = healEvent(ops);

  // First round in which everyone agreed on everything, and when it ended.
  let agreedRound: number | undefined;
  let agreedAt: number | undefined;
  for (const r of rounds) {
    const inRound = byRound.get(r)!;
    if (roundAgrees(inRound, keys, nodes, isSet)) {
      agreedRound = r;
      for (const f of inRound) {
        const t = f.rec.completeTime ?? f.rec.invokeTime;
        if (t !== undefined) agreedAt = Math.max(agreedAt ?? t, t);
      }
      break;
    }
  }

  const anomalies: Anomaly[] = [];
  const lost = new Map<string, { key: Key | undefined; value: unknown; op: number }>();
  const phantoms: { key: Key | undefined; value: unknown; nodes: string[] }[] = [];
  const unanswered: { key: Key | undefined; nodes: string[] }[] = [];
  const divergentKeys: string[] = [];
  const last = byRound.get(lastRound)!;
  const lastAnswers = answersByKey(last);

  for (const k of keys) {
    const answered = lastAnswers.get(k) ?? new Map<string, FinalReadRecord>();
    const missing = nodes.filter((n) => !answered.has(n));
    if (missing.length > 0) unanswered.push({ key: k, nodes: missing });
    if (answered.size === 0) continue;
    const set = isSet(k);
    const kw = writes.get(k) ?? new Map<string, WriteInfo[]>();

    const distinct = new Set([...answered.values()].map((fr) => stateKey(fr, set)));
    if (distinct.size > 1) {
      divergentKeys.push(keyLabel(k));
      // Whole sets can be large: for them the anomaly carries sizes and a diff instead of every value.
      const a: Anomaly = {
        kind: 'divergent',
        key: k,
        nodes: [...answered.keys()],
        message: '',
      };
      if (set) a.sizes = Object.fromEntries([...answered].map(([n, fr]) => [n, setElements(fr.rec.completion!).length]));
      else a.values = Object.fromEntries([...answered].map(([n, fr]) => [n, fr.value ?? null]));
      if (set) {
        const per = new Map([...answered].map(([n, fr]) => [n, new Map(setElements(fr.rec.completion!).map((e) => [canon(e), e]))]));
        const union = new Map<string, unknown>();
        for (const m of per.values()) for (const [c, e] of m) union.set(c, e);
        const diff: Record<string, { missing: unknown[]; count: number }> = {};
        for (const [n, m] of per) {
          const miss = [...union].filter(([c]) => !m.has(c)).map(([, e]) => e);
          if (miss.length > 0) diff[n] = { missing: miss.slice(0, 20), count: m.size };
        }
        a.diff = diff;
        const parts = Object.entries(diff).map(([n, d]) => `${n} lacks ${firstFew(d.missing)}`);
        a.message = `nodes disagree on set ${keyLabel(k)} after ${lastRound + 1} round(s) of final reads: ${parts.join('; ')}`;
      } else {
        const parts = [...answered].map(([n, fr]) => `${n}=${canon(fr.value ?? null)}`);
        a.message = `nodes disagree on register ${keyLabel(k)} after ${lastRound + 1} round(s) of final reads: ${parts.join(', ')}`;
      }
      anomalies.push(a);
    }

    // Which nodes hold each distinct element/value.
    const holders = new Map<string, { value: unknown; nodes: string[] }>();
    for (const [n, fr] of answered) {
      const vals = set ? setElements(fr.rec.completion!) : [fr.value ?? null];
      for (const v of vals) {
        const c = canon(v);
        const h = holders.get(c) ?? { value: v, nodes: [] };
        if (!h.nodes.includes(n)) h.nodes.push(n);
        holders.set(c, h);
      }
    }

    if (set) {
      for (const [c, ws] of kw) {
        const acked = ws.find((w) => w.rec.outcome === 'ok');
        if (acked && !holders.has(c)) lost.set(`${canon(k ?? null)}|${c}`, { key: k, value: acked.value, op: acked.rec.invoke.index });
      }
      for (const [c, h] of holders) {
        const bad = unwrittenHeld('set', k, c, h, kw.get(c));
        if (bad) {
          phantoms.push({ key: k, value: h.value, nodes: h.nodes });
          anomalies.push(bad);
        }
      }
      continue;
    }

    // Register, last writer wins.
    const ackedWrites = [...kw.values()].flat().filter((w) => w.rec.outcome === 'ok');
    for (const [c, h] of holders) {
      if (h.value === null) {
        if (ackedWrites.length > 0) {
          for (const w of ackedWrites) lost.set(`${canon(k ?? null)}|${canon(w.value)}`, { key: k, value: w.value, op: w.rec.invoke.index });
          anomalies.push({
            kind: 'lost-write',
            key: k,
            nodes: h.nodes,
            ops: ackedWrites.map((w) => w.rec.invoke.index),
            message: `register ${keyLabel(k)} is empty on ${h.nodes.join(', ')} although ${ackedWrites.length} write(s) were acknowledged`,
          });
        }
        continue;
      }
      const ws = kw.get(c);
      const bad = unwrittenHeld('register', k, c, h, ws);
      if (bad) {
        phantoms.push({ key: k, value: h.value, nodes: h.nodes });
        anomalies.push(bad);
        continue;
      }
      if (!ws) continue; // unreachable: a value no write proposed is a phantom above
      // Superseded: the held value's write completed before some acknowledged write was even invoked.
      const done = ws.filter((w) => w.rec.outcome === 'ok').map((w) => w.rec.completePos);
      if (done.length === 0) continue;
      const completedAt = Math.min(...done);
      const later = ackedWrites.filter((w) => w.rec.invokePos > completedAt && !holders.has(canon(w.value)));
      if (later.length === 0) continue;
      for (const w of later) lost.set(`${canon(k ?? null)}|${canon(w.value)}`, { key: k, value: w.value, op: w.rec.invoke.index });
      anomalies.push({
        kind: 'superseded',
        key: k,
        value: h.value,
        nodes: h.nodes,
        lost: later.map((w) => ({ value: w.value, op: w.rec.invoke.index })),
        message:
          `register ${keyLabel(k)} on ${h.nodes.join(', ')} holds ${c}, whose write (op ${ws[0].rec.invoke.index}) completed before ` +
          `acknowledged write(s) of ${firstFew(later.map((w) => w.value))} began; last-writer-wins lost them`,
      });
    }
  }

  const lostList = [...lost.values()];
  const setLost = lostList.filter((l) => isSet(l.key));
  if (setLost.length > 0) {
    anomalies.push({
      kind: 'lost-write',
      elements: setLost.map((l) => ({ key: l.key, value: l.value, op: l.op })),
      message: `${setLost.length} acknowledged add(s) are missing from every node: ${firstFew(setLost.map((l) => `${keyLabel(l.key)}:${canon(l.value)}`))}`,
    });
  }

  const boundSeconds = done?.boundMs !== undefined ? done.boundMs / 1000 : undefined;
  const convergedFlag = done?.converged;
  const notConverged = convergedFlag === false || agreedRound === undefined;
  if (notConverged && (divergentKeys.length > 0 || convergedFlag === false)) {
    anomalies.push({
      kind: 'not-converged',
      message:
        boundSeconds !== undefined
          ? `not converged by the bound (${boundSeconds} s)` + (divergentKeys.length ? `: keys ${firstFew(divergentKeys)} still differ` : '')
          : `nodes still disagreed after ${rounds.length} round(s) of final reads` + (divergentKeys.length ? ` on keys ${firstFew(divergentKeys)}` : ''),
      boundSeconds,
      keys: divergentKeys,
    });
  }

  let secondsToConverge: number | null = null;
  let convergenceNote: string | undefined;
  if (agreedRound !== undefined && convergedFlag !== false) {
    if (heal?.time !== undefined && agreedAt !== undefined) secondsToConverge = secs(agreedAt - heal.time);
    else convergenceNote = heal ? 'final reads carry no time' : 'no heal event in the history';
  }
  // Clients keep writing through the quiescence window, so agreement can only be seen once they stop: the time
  // from the last client answer to agreement is the part of `secondsToConverge` that the system itself took.
  let lastLoadAt: number | undefined;
  for (const op of ops) {
    if (typeof op.process === 'number' && op.type !== 'invoke' && op.f !== FINAL_READ && op.time !== undefined) {
      lastLoadAt = lastLoadAt === undefined ? op.time : Math.max(lastLoadAt, op.time);
    }
  }
  const loadOutlastedHeal = lastLoadAt !== undefined && heal?.time !== undefined && lastLoadAt > heal.time;
  const secondsAfterLoad =
    secondsToConverge !== null && agreedAt !== undefined && loadOutlastedHeal ? Math.max(0, secs(agreedAt - lastLoadAt!)) : null;

  const failed = anomalies.length > 0;
  const result: CheckResult = {
    checker: 'convergence',
    valid: failed ? false : unanswered.length > 0 ? 'unknown' : true,
    anomalies,
    stats: {
      nodes,
      keys: keys.length,
      rounds: rounds.length,
      converged: !notConverged,
      convergedRound: agreedRound ?? null,
      secondsToConverge,
      secondsAfterLoad,
      ...(convergenceNote ? { convergenceNote } : {}),
      boundSeconds: boundSeconds ?? null,
      divergentKeys,
      lostWrites: lostList.length,
      lost: lostList.slice(0, 50),
      phantoms: phantoms.length,
      unanswered,
    },
  };
  const notConv = anomalies.find((a) => a.kind === 'not-converged');
  result.facts = {
    finalLostWrites: lostList.length,
    finalPhantoms: phantoms.length,
    ...(result.valid !== 'unknown' ? { converged: result.valid === true } : {}),
    convergence: { secondsToConverge, secondsAfterLoad, ...(notConv ? { failure: notConv.message } : {}) },
  };
  if (!failed && unanswered.length > 0) {
    result.reason = `nodes did not answer the last final-read round: ${unanswered
      .map((u) => `${u.nodes.join(', ')} for ${keyLabel(u.key)}`)
      .slice(0, 5)
      .join('; ')}`;
  }
  return result;
}

/** Convergence judges final reads only: the values of client reads never matter to it. */
export const convergenceChecker: Checker = { name: 'convergence', check: (h, ctx) => checkConvergence(h, { nodes: ctx.nodes }), clientReadValues: false };
