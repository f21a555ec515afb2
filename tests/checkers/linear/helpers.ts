// Small builders for hand-written histories in the linearizability tests.
import type { Op } from '../../../histories/op.js';

export class History {
  readonly ops: Op[] = [];
  private t = 0;

  private push(op: Omit<Op, 'index' | 'time'>): this {
    this.t += 1_000_000; // 1 ms per event, so timelines show times
    this.ops.push({ index: this.ops.length, time: this.t, ...op } as Op);
    return this;
  }

  invoke(process: number, f: string, value: unknown = null, key?: string | number): this {
    return this.push({ type: 'invoke', process, f, value, ...(key !== undefined ? { key } : {}) });
  }

  private complete(type: 'ok' | 'fail' | 'info', process: number, value: unknown): this {
    const inv = [...this.ops].reverse().find((o) => o.process === process && o.type === 'invoke');
    if (!inv) throw new Error(`test bug: p${process} completes without invoking`);
    const v = value === undefined ? inv.value : value;
    return this.push({ type, process, f: inv.f, value: v, ...(inv.key !== undefined ? { key: inv.key } : {}) });
  }

  ok(process: number, value?: unknown): this {
    return this.complete('ok', process, value);
  }
  fail(process: number, value?: unknown): this {
    return this.complete('fail', process, value);
  }
  info(process: number, value?: unknown): this {
    return this.complete('info', process, value);
  }
  nemesis(f: string, value: unknown = null): this {
    return this.push({ type: 'info', process: 'nemesis', f, value });
  }
}

/** A history from a compact list of [process, type, f, value, key?] rows. */
export function rows(list: [number, 'invoke' | 'ok' | 'fail' | 'info', string, unknown, (string | number)?][]): Op[] {
  return list.map(([process, type, f, value, key], index) => ({ index, process, type, f, value, ...(key !== undefined ? { key } : {}) }) as Op);
}
