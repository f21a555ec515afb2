/** Small transactional histories for the txn checker tests, written as lists of transactions. */
import type { Op } from '../../../histories/op.js';

export type M = [string, unknown, unknown];
export interface T {
  p?: number;
  /** Micro-ops as completed (reads with what they returned). */
  mops: M[];
  outcome?: 'ok' | 'info' | 'fail';
}

const asInvoked = (mops: M[]): M[] => mops.map(([f, k, v]) => [f, k, f === 'r' ? null : v]);

function events(t: T, i: number, index: () => number): [Op, Op | undefined] {
  const process = t.p ?? i;
  const invoke: Op = { index: index(), type: 'invoke', process, f: 'txn', value: asInvoked(t.mops) };
  const outcome = t.outcome ?? 'ok';
  if (outcome === 'info' && t.p === undefined) return [invoke, undefined];
  const done: Op = { index: index(), type: outcome, process, f: 'txn', value: outcome === 'ok' ? t.mops : asInvoked(t.mops) };
  return [invoke, done];
}

/** Every transaction overlaps every other: all invocations, then all completions (no real-time order). */
export function concurrent(txns: T[]): Op[] {
  let n = 0;
  const next = (): number => n++;
  const pairs = txns.map((t, i) => events(t, i, next));
  const ops = [...pairs.map((p) => p[0]), ...pairs.flatMap((p) => (p[1] ? [p[1]] : []))];
  return ops.map((op, i) => ({ ...op, index: i }));
}

/** One after another, each completing before the next begins. */
export function serial(txns: T[]): Op[] {
  let n = 0;
  const next = (): number => n++;
  return txns.flatMap((t, i) => events(t, i, next).filter((x): x is Op => x !== undefined));
}
