/**
 * The bft node's persistent state, an append-only JSONL file in its data folder, so a killed node comes back
 * as the same replica rather than a forgetful one. What it must not forget, and why:
 * - every vote it cast (height, round, kind): a restarted node that voted again differently in the same
 *   round would be equivocating, honest code turned traitor;
 * - every proposal it made, for the same reason;
 * - its lock and valid value: Tendermint's safety across rounds rests on a node never prevoting against a
 *   value it locked on;
 * - every batch it decided, in height order: replayed on start, they rebuild the store, the answers of the
 *   requests already run (so none runs twice) and the committed log.
 * Each record is written before the message it backs leaves the node. No fsync: the sim runtime kills
 * processes, not machines, and the page cache survives a SIGKILL (as raft-storage.ts).
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const Int = z.number().int().min(-1);
export const BftRecordSchema = z.discriminatedUnion('k', [
  z.object({ k: z.literal('vote'), h: Int, r: Int, kind: z.enum(['prevote', 'precommit']), id: z.string().nullable() }),
  z.object({ k: z.literal('prop'), h: Int, r: Int, value: z.unknown(), vr: Int }),
  z.object({ k: z.literal('lock'), h: Int, lockedRound: Int, lockedValue: z.unknown(), validRound: Int, validValue: z.unknown() }),
  z.object({ k: z.literal('decide'), h: Int, id: z.string(), value: z.unknown() }),
]);
export type BftRecord = z.infer<typeof BftRecordSchema>;

export class BftStorage {
  private readonly file: string | undefined;

  constructor(dataDir: string | undefined) {
    this.file = dataDir ? join(dataDir, 'bft.jsonl') : undefined;
  }

  /** The records kept so far, in order; a torn or foreign line ends the replay there, with a warning. */
  load(warn: (msg: string) => void): BftRecord[] {
    if (!this.file || !existsSync(this.file)) return [];
    const out: BftRecord[] = [];
    const lines = readFileSync(this.file, 'utf8').split('\n');
    for (let n = 0; n < lines.length; n++) {
      if (lines[n] === '') continue;
      try {
        out.push(BftRecordSchema.parse(JSON.parse(lines[n])));
      } catch (err) {
        warn(`bft storage ${this.file}:${n + 1}: unreadable record ignored, and the rest with it (${(err as Error).message.slice(0, 120)})`);
        break;
      }
    }
    return out;
  }

  append(rec: BftRecord): void {
    if (this.file) appendFileSync(this.file, JSON.stringify(rec) + '\n');
  }
}
