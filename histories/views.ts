/**
 * Views over a history that every checker wants: each invoke paired with its completion, and the ops of each
 * process or each key.
 */
import type { Key, Op, ProcessId } from './op.js';

/**
 * Every client invoke paired with its completion by process (histories/pairing.ts): nemesis events and other
 * non-numeric processes are not paired, final reads are.
 */
export { pairOps, type OpPair } from './pairing.js';

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
