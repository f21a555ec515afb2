/**
 * The shape every history must have, whatever reads it: a client process completes only what it invoked, and
 * invokes again only after its previous op completed. `check` and `convert` refuse the same histories with the
 * same message (the linearizability checker's split would otherwise be the only one to notice).
 */
import { FINAL_READ } from './conventions.js';
import { InputError } from './errors.js';
import type { Op } from './op.js';

/** Throws InputError at the first op that breaks invoke/completion pairing. Nemesis and final reads are free. */
export function checkPairing(ops: readonly Op[], file?: string): void {
  const open = new Map<number, Op>();
  for (const op of ops) {
    if (typeof op.process !== 'number' || op.f === FINAL_READ) continue;
    const prior = open.get(op.process);
    if (op.type === 'invoke') {
      if (prior) {
        throw new InputError(`op ${op.index}: process ${op.process} invoked ${op.f} while its ${prior.f} (op ${prior.index}) had not completed`, undefined, file);
      }
      open.set(op.process, op);
    } else {
      if (!prior) throw new InputError(`op ${op.index}: process ${op.process} completed ${op.f} (${op.type}) without invoking it`, undefined, file);
      open.delete(op.process);
    }
  }
}
