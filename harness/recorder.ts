/**
 * The single writer of a run's history. Clients, the nemesis and the final reads all record through it, so
 * indices stay dense and times share one origin; it also keeps the live counts the progress line shows.
 */
import { FINAL_READ } from '../histories/conventions.js';
import type { Key, Op, ProcessId } from '../histories/op.js';
import { NEMESIS } from '../histories/op.js';
import type { JsonlWriter } from '../histories/jsonl-writer.js';
import type { ClientOp, ClientResult } from './target.js';
import { nanosSince } from './time.js';

export interface Counts {
  invoked: number;
  ok: number;
  fail: number;
  info: number;
  faults: number;
}

export class Recorder {
  readonly counts: Counts = { invoked: 0, ok: 0, fail: 0, info: 0, faults: 0 };
  firstOpAtMs: number | undefined;

  constructor(
    private readonly writer: JsonlWriter,
    /** performance.now() at the start of the run: time 0 of the history. */
    readonly originMs: number,
  ) {}

  private base(process: ProcessId, f: string, key: Key | undefined) {
    return { process, time: nanosSince(this.originMs), f, ...(key !== undefined ? { key } : {}) };
  }

  invoke(process: number, op: ClientOp, node: string, extra: Record<string, unknown> = {}): Op {
    this.counts.invoked++;
    this.firstOpAtMs ??= performance.now();
    const value = op.f === 'read' || op.f === FINAL_READ ? null : op.value;
    return this.writer.append({ type: 'invoke', ...this.base(process, op.f, op.key), value, node, ...extra });
  }

  complete(process: number, op: ClientOp, result: ClientResult, node: string, extra: Record<string, unknown> = {}): Op {
    this.counts[result.type]++;
    // What the op observed (a read's value, a generated id, an echo) when the client reports one; else what
    // it asked for (a write's value), or null for an op that asked nothing (a read that failed).
    const value = result.type === 'ok' && result.value !== undefined ? result.value : (op.value ?? null);
    return this.writer.append({
      type: result.type,
      ...this.base(process, op.f, op.key),
      value,
      node,
      ...(result.error !== undefined ? { error: result.error } : {}),
      ...extra,
    });
  }

  nemesis(f: string, value: unknown, error?: string): Op {
    if (f.startsWith('start-')) this.counts.faults++;
    return this.writer.append({ type: 'info', ...this.base(NEMESIS, f, undefined), value, ...(error ? { error } : {}) });
  }
}
