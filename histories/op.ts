/**
 * The history record: one operation event per line of `history.jsonl`.
 *
 * An operation is two events sharing a `process`: an `invoke`, then exactly one completion —
 * `ok` (it happened), `fail` (it certainly did not happen) or `info` (unknown: a timeout or a crash).
 * A process whose op ends in `info` is retired; its client continues under a new process id.
 *
 * Conventions the harness and the checkers share:
 * - Nemesis events use `process: "nemesis"`; `f` is `start-<fault>` / `stop-<fault>`, `type` is `info`,
 *   and `value` describes the fault (see `FaultValue` in harness/nemesis).
 * - Final reads (after the heal and quiescence) are client ops with `f: "final-read"` and `node` set to the
 *   node that was read; their `value` is that node's whole state for `key`.
 * - `time` is nanoseconds since the run began (monotonic). Histories imported from Jepsen may lack it.
 *   Checkers order events by `index` (file order), never by `time`, exactly as Knossos does.
 */
import { z } from 'zod';

export const OpTypeSchema = z.enum(['invoke', 'ok', 'fail', 'info']);
export type OpType = z.infer<typeof OpTypeSchema>;

/** Client processes are non-negative integers; the nemesis (and other harness actors) use a name. */
export const ProcessSchema = z.union([z.number().int().nonnegative(), z.string().min(1)]);
export type ProcessId = z.infer<typeof ProcessSchema>;

export const KeySchema = z.union([z.string(), z.number()]);
export type Key = z.infer<typeof KeySchema>;

export const OpSchema = z.looseObject({
  index: z.number().int().nonnegative(),
  type: OpTypeSchema,
  process: ProcessSchema,
  /** Nanoseconds since the run began. Optional only so that Jepsen histories without `:time` survive a round trip. */
  time: z.number().int().nonnegative().optional(),
  f: z.string().min(1),
  key: KeySchema.optional(),
  value: z.unknown().optional(),
  /** The node a client talked to (set on completions by our harness). */
  node: z.string().optional(),
  error: z.unknown().optional(),
});
/** One event. Unknown fields are kept (Jepsen histories carry extras), so round trips lose nothing. */
export type Op = z.infer<typeof OpSchema>;

export const NEMESIS = 'nemesis';

export function isClientOp(op: Op): boolean {
  return typeof op.process === 'number';
}
