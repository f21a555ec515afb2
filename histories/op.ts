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

/**
 * The op's schemas, built on first use: building zod schemas when this module loads would cost every command's
 * start-up, and most histories never need them (the readers check plain ops by hand; see op-shape.ts).
 */
function buildSchemas() {
  const OpType = z.enum(['invoke', 'ok', 'fail', 'info']);
  /** Client processes are non-negative integers; the nemesis (and other harness actors) use a name. */
  const Process = z.union([z.number().int().nonnegative(), z.string().min(1)]);
  const Key = z.union([z.string(), z.number()]);
  const Op = z.looseObject({
    index: z.number().int().nonnegative(),
    type: OpType,
    process: Process,
    /** Nanoseconds since the run began. Optional only so that Jepsen histories without `:time` survive a round trip. */
    time: z.number().int().nonnegative().optional(),
    f: z.string().min(1),
    key: Key.optional(),
    value: z.unknown().optional(),
    /** The node a client talked to (set on completions by our harness). */
    node: z.string().optional(),
    error: z.unknown().optional(),
  });
  return { OpType, Process, Key, Op };
}
type Schemas = ReturnType<typeof buildSchemas>;
let schemas: Schemas | undefined;

export type OpType = z.infer<Schemas['OpType']>;
export type ProcessId = z.infer<Schemas['Process']>;
export type Key = z.infer<Schemas['Key']>;
/** One event. Unknown fields are kept (Jepsen histories carry extras), so round trips lose nothing. */
export type Op = z.infer<Schemas['Op']>;

/** zod's schema of one op (what a history line must be), built on first use. */
export function opSchema(): Schemas['Op'] {
  return (schemas ??= buildSchemas()).Op;
}

export const NEMESIS = 'nemesis';

export function isClientOp(op: Op): boolean {
  return typeof op.process === 'number';
}
