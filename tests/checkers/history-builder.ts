/**
 * Builds histories for the AP checker tests from a compact description: each op is given as a time span in
 * seconds; the builder emits invoke and completion events, orders everything by time (ties keep the order
 * of description) and numbers the events. Concurrency is therefore read straight off the spans.
 *
 *   const h = new HistoryBuilder();
 *   h.write(0, 'x', 1, [0, 1]);                      // p0 writes 1 to x from 0 s to 1 s, ok, via n1
 *   h.read(1, 'x', 1, [2, 3], { node: 'n4' });       // p1 reads 1
 *   h.partition([10, 20], [['n1', 'n2', 'n3'], ['n4', 'n5']]);
 *   h.heal(30); h.finalRound(0, [31, 32], { x: { n1: 1, n2: 1 } }); h.finalDone(33, true, 1, 5000);
 *   const ops = h.build();
 */
import type { Key, Op, ProcessId } from '../../histories/op.js';

export type Outcome = 'ok' | 'fail' | 'info' | 'pending';
export type Span = [number, number];

export interface OpOpts {
  node?: string;
  outcome?: Outcome;
  /** Extra fields on both events (e.g. `round`). */
  extra?: Record<string, unknown>;
  /** `error` on the completion (e.g. Maelstrom's `[22, "precondition failed"]`). */
  error?: unknown;
}

interface Event {
  t: number;
  seq: number;
  op: Omit<Op, 'index'>;
}

const ns = (s: number): number => Math.round(s * 1e9);
const FINAL_BASE = 1_000_000_000;

export class HistoryBuilder {
  private events: Event[] = [];
  private seq = 0;

  private emit(t: number, op: Omit<Op, 'index'>): void {
    this.events.push({ t, seq: this.seq++, op: { ...op, time: ns(t) } });
  }

  /** Any client op. `value` goes on the invoke; `result` (default: `value`) on the completion. */
  op(process: ProcessId, f: string, key: Key | undefined, value: unknown, span: Span, o: OpOpts & { result?: unknown } = {}): this {
    const node = o.node ?? 'n1';
    const outcome = o.outcome ?? 'ok';
    const base = { process, f, ...(key !== undefined ? { key } : {}), node, ...(o.extra ?? {}) };
    this.emit(span[0], { ...base, type: 'invoke', value });
    if (outcome !== 'pending') {
      const result = 'result' in o ? o.result : value;
      const err = o.error !== undefined ? { error: o.error } : {};
      this.emit(span[1], { ...base, type: outcome, value: outcome === 'ok' ? result : value, ...err });
    }
    return this;
  }

  write(p: number, key: Key | undefined, value: unknown, span: Span, o: OpOpts = {}): this {
    return this.op(p, 'write', key, value, span, o);
  }

  /** A read returning `value` (on fail/info the completion carries null). */
  read(p: number, key: Key | undefined, value: unknown, span: Span, o: OpOpts = {}): this {
    return this.op(p, 'read', key, null, span, { ...o, result: o.outcome && o.outcome !== 'ok' ? null : value });
  }

  cas(p: number, key: Key | undefined, from: unknown, to: unknown, span: Span, o: OpOpts = {}): this {
    return this.op(p, 'cas', key, [from, to], span, o);
  }

  add(p: number, key: Key | undefined, element: unknown, span: Span, o: OpOpts = {}): this {
    return this.op(p, 'add', key, element, span, o);
  }

  /** One node's final read of one key. A node's process is FINAL_BASE + its position in `n1..nN`. */
  finalRead(round: number, node: string, key: Key | undefined, value: unknown, span: Span, outcome: Outcome = 'ok'): this {
    const p = FINAL_BASE + Number(node.replace(/\D/g, '') || 0);
    return this.op(p, 'final-read', key, null, span, { node, outcome, extra: { round }, result: outcome === 'ok' ? value : null });
  }

  /**
   * A whole round: `{key: {node: value}}`. Each node reads its keys one after another, in equal slices of
   * `span`: the round starts at span[0] and its last read ends at span[1].
   */
  finalRound(round: number, span: Span, state: Record<string, Record<string, unknown>>): this {
    const keys = Object.entries(state);
    const d = (span[1] - span[0]) / keys.length;
    keys.forEach(([key, byNode], i) => {
      const sub: Span = [span[0] + i * d, span[0] + (i + 1) * d];
      for (const [node, value] of Object.entries(byNode)) this.finalRead(round, node, key, value, sub);
    });
    return this;
  }

  nemesis(t: number, f: string, value: unknown = null, extra: Record<string, unknown> = {}): this {
    this.emit(t, { process: 'nemesis', type: 'info', f, value, ...extra });
    return this;
  }

  fault(kind: string, span: Span, value: unknown): this {
    return this.nemesis(span[0], `start-${kind}`, value).nemesis(span[1], `stop-${kind}`, value);
  }

  /** A symmetric partition between the given components (grudge computed from them). */
  partition(span: Span, components: string[][], shape = 'majority-minority'): this {
    const grudge: Record<string, string[]> = {};
    for (const c of components) for (const n of c) grudge[n] = components.filter((d) => d !== c).flat();
    return this.fault('partition', span, { shape, grudge, components });
  }

  heal(t: number): this {
    return this.nemesis(t, 'heal');
  }

  finalDone(t: number, converged: boolean, rounds: number, boundMs: number): this {
    return this.nemesis(t, 'final-reads-done', { converged, rounds, boundMs });
  }

  build(): Op[] {
    return [...this.events]
      .sort((a, b) => a.t - b.t || a.seq - b.seq)
      .map((e, index) => ({ index, ...e.op }) as Op);
  }
}

export const history = (): HistoryBuilder => new HistoryBuilder();
