/**
 * The dependency graph between transactions: one edge per ordered pair, labelled with a bit set of the
 * relations that order them (ww, wr, rw from the data; process and realtime from how clients ran them).
 *
 * Adjacency lives in flat arrays (targets and labels per source), and a map keyed by `from * n + to` merges
 * repeated edges, so 100k transactions and millions of edges stay within a few hundred MB.
 */
import type { Txn } from './txns.js';

export const WW = 1;
export const WR = 2;
export const RW = 4;
export const PROCESS = 8;
export const REALTIME = 16;
export const DATA = WW | WR | RW;

export type Rel = 'ww' | 'wr' | 'rw' | 'process' | 'realtime';
const REL_BITS: [Rel, number][] = [
  ['ww', WW],
  ['wr', WR],
  ['rw', RW],
  ['process', PROCESS],
  ['realtime', REALTIME],
];

/** The strongest reading of an edge's label, for classifying a cycle: ww over wr over rw over process over realtime. */
export function relOf(mask: number): Rel {
  for (const [rel, bit] of REL_BITS) if (mask & bit) return rel;
  throw new Error(`edge without a relation (mask ${mask})`);
}

export class DepGraph {
  readonly out: number[][];
  readonly labels: number[][];
  private readonly index = new Map<number, number>();
  edges = 0;

  constructor(readonly n: number) {
    this.out = Array.from({ length: n }, () => []);
    this.labels = Array.from({ length: n }, () => []);
  }

  add(from: number, to: number, bit: number): void {
    if (from === to) return;
    const key = from * this.n + to;
    const at = this.index.get(key);
    if (at === undefined) {
      this.index.set(key, this.out[from].length);
      this.out[from].push(to);
      this.labels[from].push(bit);
      this.edges++;
    } else {
      this.labels[from][at] |= bit;
    }
  }

  label(from: number, to: number): number {
    const at = this.index.get(from * this.n + to);
    return at === undefined ? 0 : this.labels[from][at];
  }
}

/** Consecutive transactions of each process, in invocation order: a client runs one at a time. */
export function addProcessEdges(g: DepGraph, txns: readonly Txn[]): void {
  const last = new Map<unknown, number>();
  for (const t of txns) {
    if (t.outcome === 'fail') continue;
    const prev = last.get(t.process);
    if (prev !== undefined) g.add(prev, t.id, PROCESS);
    last.set(t.process, t.id);
  }
}

/**
 * Real-time order: T1 before T2 when T1 completed ok before T2 was invoked. Only a transitive reduction is
 * kept, as Elle does: a sweep over the history holds the frontier of completed transactions not yet known
 * to precede a later completed one, so each invocation gets an edge from each frontier member (about as many
 * as there are clients) rather than from every earlier transaction.
 */
export function addRealtimeEdges(g: DepGraph, txns: readonly Txn[]): void {
  type Ev = { pos: number; t: Txn; invoke: boolean };
  const events: Ev[] = [];
  for (const t of txns) {
    if (t.outcome === 'fail') continue;
    events.push({ pos: t.invokePos, t, invoke: true });
    if (t.outcome === 'ok') events.push({ pos: t.completePos, t, invoke: false });
  }
  events.sort((a, b) => a.pos - b.pos);
  const frontier = new Set<number>();
  const before = new Map<number, number[]>();
  for (const e of events) {
    if (e.invoke) {
      const preds = [...frontier];
      for (const p of preds) g.add(p, e.t.id, REALTIME);
      before.set(e.t.id, preds);
    } else {
      for (const p of before.get(e.t.id) ?? []) frontier.delete(p);
      before.delete(e.t.id);
      frontier.add(e.t.id);
    }
  }
}

/**
 * Strongly connected components by Tarjan's algorithm, iteratively (an explicit stack instead of recursion,
 * so a 1M-transaction chain cannot overflow the call stack). `mask` limits which edges count. Returns the
 * components with more than one transaction, and each node's component number (-1 for the rest).
 */
export function stronglyConnected(g: DepGraph, mask: number): { components: number[][]; componentOf: Int32Array } {
  const n = g.n;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const componentOf = new Int32Array(n).fill(-1);
  const components: number[][] = [];
  const callNode: number[] = [];
  const callEdge: number[] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] >= 0) continue;
    callNode.push(root);
    callEdge.push(0);
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (callNode.length > 0) {
      const top = callNode.length - 1;
      const v = callNode[top];
      const outs = g.out[v];
      const labels = g.labels[v];
      let i = callEdge[top];
      let descended = false;
      while (i < outs.length) {
        const w = outs[i];
        const l = labels[i];
        i++;
        if ((l & mask) === 0) continue;
        if (index[w] < 0) {
          callEdge[top] = i;
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          callNode.push(w);
          callEdge.push(0);
          descended = true;
          break;
        } else if (onStack[w]) {
          if (index[w] < low[v]) low[v] = index[w];
        }
      }
      if (descended) continue;
      callNode.pop();
      callEdge.pop();
      if (callNode.length > 0) {
        const parent = callNode[callNode.length - 1];
        if (low[v] < low[parent]) low[parent] = low[v];
      }
      if (low[v] === index[v]) {
        const comp: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          comp.push(w);
        } while (w !== v);
        if (comp.length > 1) {
          for (const x of comp) componentOf[x] = components.length;
          components.push(comp);
        }
      }
    }
  }
  return { components, componentOf };
}
