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
  // Edges as added (unmerged), in growable typed arrays: no per-edge objects for the collector to chase.
  private from = new Int32Array(1024);
  private to = new Int32Array(1024);
  private bits = new Uint8Array(1024);
  private added = 0;
  // After `freeze`: compressed rows, each node's targets at start[v] .. start[v+1], one merged label each.
  start = new Int32Array(0);
  targets = new Int32Array(0);
  masks = new Uint8Array(0);
  private frozen = false;

  constructor(readonly n: number) {}

  add(from: number, to: number, bit: number): void {
    if (from === to) return;
    if (this.frozen) throw new Error('DepGraph: add after freeze');
    if (this.added === this.from.length) {
      const grow = <A extends Int32Array | Uint8Array>(a: A, make: (n: number) => A): A => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.from = grow(this.from, (n) => new Int32Array(n));
      this.to = grow(this.to, (n) => new Int32Array(n));
      this.bits = grow(this.bits, (n) => new Uint8Array(n));
    }
    this.from[this.added] = from;
    this.to[this.added] = to;
    this.bits[this.added] = bit;
    this.added++;
  }

  /** Build the compressed rows, merging repeated edges into one with the union of their labels. */
  freeze(): void {
    if (this.frozen) return;
    this.frozen = true;
    const n = this.n;
    const m = this.added;
    const count = new Int32Array(n + 1);
    for (let i = 0; i < m; i++) count[this.from[i] + 1]++;
    for (let v = 0; v < n; v++) count[v + 1] += count[v];
    const fill = count.slice(0, n);
    const tgt = new Int32Array(m);
    const lab = new Uint8Array(m);
    for (let i = 0; i < m; i++) {
      const at = fill[this.from[i]]++;
      tgt[at] = this.to[i];
      lab[at] = this.bits[i];
    }
    // Merge duplicates within each row, with a marker per target node.
    const seenAt = new Int32Array(n).fill(-1);
    const start = new Int32Array(n + 1);
    let w = 0;
    for (let v = 0; v < n; v++) {
      start[v] = w;
      const rowStart = w;
      for (let i = count[v]; i < count[v + 1]; i++) {
        const t = tgt[i];
        const j = seenAt[t];
        if (j >= rowStart) lab[j] |= lab[i];
        else {
          seenAt[t] = w;
          tgt[w] = t;
          lab[w] = lab[i];
          w++;
        }
      }
    }
    start[n] = w;
    this.start = start;
    this.targets = tgt.slice(0, w);
    this.masks = lab.slice(0, w);
    this.from = new Int32Array(0);
    this.to = new Int32Array(0);
    this.bits = new Uint8Array(0);
  }

  get edges(): number {
    return this.frozen ? this.start[this.n] : this.added;
  }

  label(from: number, to: number): number {
    for (let i = this.start[from]; i < this.start[from + 1]; i++) if (this.targets[i] === to) return this.masks[i];
    return 0;
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
  g.freeze();
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
    callEdge.push(-1);
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (callNode.length > 0) {
      const top = callNode.length - 1;
      const v = callNode[top];
      const end = g.start[v + 1];
      let i = callEdge[top] < 0 ? g.start[v] : callEdge[top];
      let descended = false;
      while (i < end) {
        const w = g.targets[i];
        const l = g.masks[i];
        i++;
        if ((l & mask) === 0) continue;
        if (index[w] < 0) {
          callEdge[top] = i;
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          callNode.push(w);
          callEdge.push(-1);
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
