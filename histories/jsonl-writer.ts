/**
 * Appends ops to history.jsonl as they happen. Each op is one synchronous write(2) of one whole line, so the
 * kernel holds every completed op the moment `append` returns: a `kill -9` of the harness loses at most the op
 * being written, and a reader sees at worst one torn last line.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Op } from './op.js';
import { toJsonText } from './exact-json.js';

export type NewOp = Omit<Op, 'index'>;

export class JsonlWriter {
  private fd: number | undefined;
  private next = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }

  /** Give the op the next dense index, write it, and return it as written. */
  append(op: NewOp): Op {
    if (this.fd === undefined) throw new Error(`history writer for ${this.path} is closed`);
    const full = { index: this.next++, ...op } as Op;
    writeSync(this.fd, toJsonText(full) + '\n');
    return full;
  }

  get count(): number {
    return this.next;
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}

const FIELD_ORDER = ['index', 'type', 'process', 'time', 'f', 'key', 'value', 'node', 'error'];

/** The op with its fields in one fixed order (known fields first, extras sorted), so equal ops print equal. */
export function canonicalOp(op: Op): Op {
  const out: Record<string, unknown> = {};
  for (const k of FIELD_ORDER) if (op[k] !== undefined) out[k] = op[k];
  for (const k of Object.keys(op).sort()) if (!(k in out) && op[k] !== undefined) out[k] = op[k];
  return out as Op;
}

/** Serialise ops to JSONL text in canonical field order (for converters and tests). */
export function opsToJsonl(ops: Iterable<Op>): string {
  const lines: string[] = [];
  for (const op of ops) lines.push(toJsonText(canonicalOp(op)));
  return lines.length ? lines.join('\n') + '\n' : '';
}
