/** The final reads the harness makes after the heal (one per node and key, in rounds) and the marker after them. */
import { z } from 'zod';
import { canon } from '../histories/canon.js';
import { FINAL_READ, FINAL_READS_DONE } from '../histories/conventions.js';
import { InputError } from '../histories/errors.js';
import type { Key, Op } from '../histories/op.js';
import { nemesisEvents } from './fault-windows.js';
import { lineOf, type OpRecord } from './op-records.js';

export interface FinalReadRecord {
  rec: OpRecord;
  round: number;
  node: string;
  key: Key | undefined;
  ok: boolean;
  value: unknown;
}

export function finalReads(records: readonly OpRecord[]): FinalReadRecord[] {
  const out: FinalReadRecord[] = [];
  for (const rec of records) {
    if (rec.f !== FINAL_READ) continue;
    const src = rec.completion ?? rec.invoke;
    const round = (src as { round?: unknown }).round ?? (rec.invoke as { round?: unknown }).round ?? 0;
    if (typeof round !== 'number' || !Number.isInteger(round) || round < 0) {
      throw new InputError(`op ${src.index}: final-read round must be a non-negative integer, got ${canon(round)}`, lineOf(src));
    }
    if (rec.node === undefined) {
      throw new InputError(`op ${src.index}: final-read has no "node"`, lineOf(src));
    }
    out.push({ rec, round, node: rec.node, key: rec.key, ok: rec.outcome === 'ok', value: rec.completion?.value });
  }
  return out;
}

const FinalReadsDoneSchema = z.looseObject({
  converged: z.boolean(),
  rounds: z.number().int().nonnegative().optional(),
  boundMs: z.number().nonnegative().optional(),
});
export type FinalReadsDone = z.infer<typeof FinalReadsDoneSchema> & { op: Op };

export function finalReadsDone(ops: readonly Op[]): FinalReadsDone | undefined {
  const ev = nemesisEvents(ops).find((e) => e.op.f === FINAL_READS_DONE);
  if (!ev) return undefined;
  const r = FinalReadsDoneSchema.safeParse(ev.op.value);
  if (!r.success) {
    throw new InputError(
      `op ${ev.op.index}: final-reads-done value must be {"converged": bool, "rounds": n, "boundMs": ms}, got ${canon(ev.op.value)}`,
      lineOf(ev.op),
    );
  }
  return { ...r.data, op: ev.op };
}
