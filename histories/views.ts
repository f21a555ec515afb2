/**
 * Views over a history that every checker wants: each invoke paired with its completion, and the ops of each
 * process or each key.
 */
import { InputError } from './errors.js';
import type { Key, Op, ProcessId } from './op.js';

export interface OpPair {
  invoke: Op;
  /** Absent when the history ends before the op completed (as good as `info`). */
  completion?: Op;
}

/**
 * Pair every client invoke with its completion by process. A process that invokes twice without a completion,
 * or completes what it never invoked, breaks the history's own rules and is reported as bad input.
 * Nemesis events (non-numeric process) are not paired: they are single `info` records.
 */
export function pairOps(ops: readonly Op[]): OpPair[] {
  const open = new Map<ProcessId, OpPair>();
  const pairs: OpPair[] = [];
  for (const op of ops) {
    if (typeof op.process !== 'number') continue;
    if (op.type === 'invoke') {
      const prior = open.get(op.process);
      if (prior) {
        throw new InputError(
          `process ${op.process} invoked op ${op.index} while its op ${prior.invoke.index} had not completed`,
        );
      }
      const pair: OpPair = { invoke: op };
      open.set(op.process, pair);
      pairs.push(pair);
    } else {
      const pair = open.get(op.process);
      if (!pair) throw new InputError(`op ${op.index}: process ${op.process} completed (${op.type}) an op it never invoked`);
      pair.completion = op;
      open.delete(op.process);
    }
  }
  return pairs;
}

export function byProcess(ops: readonly Op[]): Map<ProcessId, Op[]> {
  const out = new Map<ProcessId, Op[]>();
  for (const op of ops) {
    let list = out.get(op.process);
    if (!list) out.set(op.process, (list = []));
    list.push(op);
  }
  return out;
}

/** Ops grouped by key; ops without a key (single-register workloads, the nemesis) go under `undefined`. */
export function byKey(ops: readonly Op[]): Map<Key | undefined, Op[]> {
  const out = new Map<Key | undefined, Op[]>();
  for (const op of ops) {
    let list = out.get(op.key);
    if (!list) out.set(op.key, (list = []));
    list.push(op);
  }
  return out;
}
