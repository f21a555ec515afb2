/**
 * The shape every history must have, whatever reads it: a client process completes only what it invoked, and
 * invokes again only after its previous op completed. `check` and `convert` refuse the same histories with the
 * same message (the linearizability checker's split would otherwise be the only one to notice).
 */
import { FINAL_READ } from './conventions.js';
import { InputError } from './errors.js';
import type { Op } from './op.js';
import { invokedTwiceError, orphanCompletionError } from './pairing.js';

/**
 * Throws InputError at the first op that breaks invoke/completion pairing. Nemesis and final reads are free.
 * A check only, so it builds no pair records; its errors have histories/pairing.ts' wording and, as before,
 * name the file but no line.
 */
export function checkPairing(ops: readonly Op[], file?: string): void {
  const open = new Map<number, Op>();
  for (const op of ops) {
    if (typeof op.process !== 'number' || op.f === FINAL_READ) continue;
    const prior = open.get(op.process);
    if (op.type === 'invoke') {
      if (prior) {
        throw new InputError(invokedTwiceError(op, prior).message, undefined, file);
      }
      open.set(op.process, op);
    } else {
      if (!prior) throw new InputError(orphanCompletionError(op).message, undefined, file);
      open.delete(op.process);
    }
  }
}
