/**
 * Raft's persistent state (current term, vote, log) as an append-only JSONL file in the node's data folder.
 * An entry record at index i replaces the log from i on, so truncating a conflicting suffix needs no record
 * of its own: Raft only truncates to append the leader's entries in its place. No fsync: the sim runtime
 * kills processes, not machines, and the page cache survives a SIGKILL.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { KvOpSchema, type KvOp } from './kv-state.js';

export interface LogEntry {
  term: number;
  op: KvOp;
}

const RecordSchema = z.union([
  z.object({ k: z.literal('hs'), term: z.number().int().nonnegative(), vote: z.string().nullable() }),
  z.object({ k: z.literal('ent'), i: z.number().int().positive(), term: z.number().int().nonnegative(), op: KvOpSchema }),
]);

export class RaftStorage {
  term = 0;
  vote: string | null = null;
  /** 1-based: index 0 holds a sentinel of term 0, so `log.length - 1` is the last index. */
  readonly log: LogEntry[] = [{ term: 0, op: { f: 'noop' } }];
  private readonly file: string | undefined;

  constructor(dataDir: string | undefined, warn: (msg: string) => void) {
    this.file = dataDir ? join(dataDir, 'raft.jsonl') : undefined;
    if (this.file && existsSync(this.file)) this.load(this.file, warn);
  }

  get lastIndex(): number {
    return this.log.length - 1;
  }

  saveHardState(term: number, vote: string | null): void {
    this.term = term;
    this.vote = vote;
    this.persist(JSON.stringify({ k: 'hs', term, vote }) + '\n');
  }

  /** Put `entries` at `from`, `from+1`, ..., dropping whatever the log held from `from` on. */
  writeEntries(from: number, entries: readonly LogEntry[]): void {
    if (entries.length === 0) return;
    this.log.length = from;
    let text = '';
    for (let j = 0; j < entries.length; j++) {
      const e = entries[j];
      this.log.push(e);
      text += JSON.stringify({ k: 'ent', i: from + j, term: e.term, op: e.op }) + '\n';
    }
    this.persist(text);
  }

  private persist(text: string): void {
    if (this.file) appendFileSync(this.file, text);
  }

  private load(file: string, warn: (msg: string) => void): void {
    const lines = readFileSync(file, 'utf8').split('\n');
    for (let n = 0; n < lines.length; n++) {
      const line = lines[n];
      if (line === '') continue;
      let rec: z.infer<typeof RecordSchema>;
      try {
        rec = RecordSchema.parse(JSON.parse(line));
      } catch (err) {
        // Only a torn final write is expected; anything else means the file is not ours to trust further.
        warn(`raft storage ${file}:${n + 1}: unreadable record ignored, and the rest with it (${(err as Error).message.slice(0, 120)})`);
        break;
      }
      if (rec.k === 'hs') {
        this.term = rec.term;
        this.vote = rec.vote;
      } else {
        if (rec.i > this.log.length) {
          warn(`raft storage ${file}:${n + 1}: entry ${rec.i} leaves a gap after ${this.lastIndex}; the rest is ignored`);
          break;
        }
        this.log.length = rec.i;
        this.log.push({ term: rec.term, op: rec.op });
      }
    }
  }
}
