/**
 * Sequential consistency for a key-value history (read, write, cas on many keys): is there one total order of
 * every completed op that keeps each process's own order, in which every read returns the latest value and
 * every cas succeeds exactly when its expected value is there? Unlike linearizability it ignores real time,
 * and unlike linearizability it is not local: all keys are checked together.
 *
 * The search is depth first over how far each process has got, memoised on those positions and the state;
 * a budget of visited states turns a search too big to finish into `unknown`. This is what seq-kv promises
 * (Maelstrom doc/services.md), and what its tests hold it to.
 */
import { canon } from './models/canon.js';
import type { CheckResult } from './result.js';

/** One completed op of a process, in that process's order. A read of a missing key has value null. */
export interface SeqOp {
  f: 'read' | 'write' | 'cas';
  key: unknown;
  /** read: the value returned; write: the value written; cas: [from, to]. */
  value: unknown;
  /** For cas: whether it succeeded. A failed write or read is left out of the history. */
  ok: boolean;
}

export interface SequentialOptions {
  /** Give up (unknown) after visiting this many search states. Default 2,000,000. */
  maxStates?: number;
}

type State = Map<string, string>;

function legal(state: State, op: SeqOp): { ok: boolean; next?: [string, string] } {
  const k = canon(op.key);
  const cur = state.get(k) ?? 'null';
  switch (op.f) {
    case 'read':
      return { ok: canon(op.value) === cur };
    case 'write':
      return { ok: true, next: [k, canon(op.value)] };
    case 'cas': {
      const [from, to] = op.value as [unknown, unknown];
      const matches = state.has(k) && cur === canon(from);
      if (!op.ok) return { ok: !matches };
      return matches ? { ok: true, next: [k, canon(to)] } : { ok: false };
    }
  }
}

export function checkSequential(processes: readonly (readonly SeqOp[])[], o: SequentialOptions = {}): CheckResult {
  const maxStates = o.maxStates ?? 2_000_000;
  const total = processes.reduce((n, p) => n + p.length, 0);
  const pos = processes.map(() => 0);
  const state: State = new Map();
  const dead = new Set<string>();
  let visited = 0;
  let exhausted = false;

  const keyOf = (): string => pos.join(',') + '|' + [...state].sort().map(([k, v]) => `${k}=${v}`).join(';');

  const search = (done: number): boolean => {
    if (done === total) return true;
    const memo = keyOf();
    if (dead.has(memo)) return false;
    if (++visited > maxStates) {
      exhausted = true;
      return false;
    }
    for (let p = 0; p < processes.length; p++) {
      const op = processes[p][pos[p]];
      if (op === undefined) continue;
      const step = legal(state, op);
      if (!step.ok) continue;
      const undo = step.next ? { k: step.next[0], had: state.has(step.next[0]), old: state.get(step.next[0]) } : undefined;
      if (step.next) state.set(step.next[0], step.next[1]);
      pos[p]++;
      const found = search(done + 1);
      pos[p]--;
      if (undo) {
        if (undo.had) state.set(undo.k, undo.old!);
        else state.delete(undo.k);
      }
      if (found) return true;
      if (exhausted) return false;
    }
    dead.add(memo);
    return false;
  };

  const found = search(0);
  const stats = { processes: processes.length, ops: total, visited };
  if (found) return { checker: 'sequential', valid: true, anomalies: [], stats };
  if (exhausted) return { checker: 'sequential', valid: 'unknown', anomalies: [], stats, reason: `gave up after ${maxStates} search states` };
  return {
    checker: 'sequential',
    valid: false,
    anomalies: [{ kind: 'not-sequential', message: `no single order of the ${total} ops keeps every process's own order and explains every read and cas` }],
    stats,
  };
}
