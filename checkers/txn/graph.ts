/**
 * The dependency graph between transactions: one edge per ordered pair, labelled with a bit set of the
 * relations that order them (ww, wr, rw from the data; process and realtime from how clients ran them).
 *
 * Adjacency lives in flat arrays (targets and labels per source), with repeated edges merged when the graph
 * is frozen, so 100k transactions and millions of edges stay within a few hundred MB.
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

/** Edges are buffered in chunks of this many: growth never copies, and at most one chunk is slack. */
const CHUNK = 1 << 20;

export class DepGraph {
  // Edges as added (unmerged), in fixed-size typed-array chunks: no per-edge objects for the collector to
  // chase, and no doubling (which at millions of edges held up to twice the room needed, and briefly the old
  // and the new arrays at once).
  private fromChunks: Int32Array[] = [];
  private toChunks: Int32Array[] = [];
  private bitChunks: Uint8Array[] = [];
  private fill = CHUNK;
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
    if (this.fill === CHUNK) {
      // The first chunk is small, so the many tiny graphs (one per key, tests) stay tiny.
      const size = this.fromChunks.length === 0 ? 1024 : CHUNK;
      this.fromChunks.push(new Int32Array(size));
      this.toChunks.push(new Int32Array(size));
      this.bitChunks.push(new Uint8Array(size));
      this.fill = 0;
    }
    const c = this.fromChunks.length - 1;
    if (this.fill === this.fromChunks[c].length && this.fill < CHUNK) {
      // Grow the first chunk up to a full one (copies only while it is small).
      const size = Math.min(CHUNK, this.fill * 4);
      const grow = <A extends Int32Array | Uint8Array>(a: A, make: (n: number) => A): A => {
        const b = make(size);
        b.set(a);
        return b;
      };
      this.fromChunks[c] = grow(this.fromChunks[c], (n) => new Int32Array(n));
      this.toChunks[c] = grow(this.toChunks[c], (n) => new Int32Array(n));
      this.bitChunks[c] = grow(this.bitChunks[c], (n) => new Uint8Array(n));
    }
    this.fromChunks[c][this.fill] = from;
    this.toChunks[c][this.fill] = to;
    this.bitChunks[c][this.fill] = bit;
    this.fill++;
    this.added++;
  }

  /** Every edge as added, in order: f(from, to, bit). */
  private eachAdded(f: (from: number, to: number, bit: number) => void): void {
    let left = this.added;
    for (let c = 0; c < this.fromChunks.length && left > 0; c++) {
      const from = this.fromChunks[c];
      const to = this.toChunks[c];
      const bits = this.bitChunks[c];
      const k = Math.min(left, from.length);
      for (let i = 0; i < k; i++) f(from[i], to[i], bits[i]);
      left -= k;
    }
  }

  /** Build the compressed rows, merging repeated edges into one with the union of their labels. */
  freeze(): void {
    if (this.frozen) return;
    this.frozen = true;
    const n = this.n;
    const m = this.added;
    const count = new Int32Array(n + 1);
    this.eachAdded((from) => void count[from + 1]++);
    for (let v = 0; v < n; v++) count[v + 1] += count[v];
    const fill = count.slice(0, n);
    const tgt = new Int32Array(m);
    const lab = new Uint8Array(m);
    this.eachAdded((from, to, bit) => {
      const at = fill[from]++;
      tgt[at] = to;
      lab[at] = bit;
    });
    this.fromChunks = [];
    this.toChunks = [];
    this.bitChunks = [];
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
    // Few repeats (the usual case): keep the arrays as they are rather than hold a copy beside them.
    const keep = w >= m * 0.75;
    this.targets = keep ? tgt.subarray(0, w) : tgt.slice(0, w);
    this.masks = keep ? lab.subarray(0, w) : lab.slice(0, w);
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
  // Events by history position (each position holds at most one: an invocation or a completion), so a scan
  // in position order replaces sorting millions of event objects. 0: none; id + 1: an invocation; -(id + 1):
  // an ok completion.
  let maxPos = -1;
  for (const t of txns) {
    if (t.outcome === 'fail') continue;
    maxPos = Math.max(maxPos, t.invokePos, t.outcome === 'ok' ? t.completePos : -1);
  }
  const at = new Int32Array(maxPos + 1);
  for (const t of txns) {
    if (t.outcome === 'fail') continue;
    at[t.invokePos] = t.id + 1;
    if (t.outcome === 'ok') at[t.completePos] = -(t.id + 1);
  }
  const frontier = new Set<number>();
  const before = new Map<number, number[]>();
  for (let pos = 0; pos <= maxPos; pos++) {
    const e = at[pos];
    if (e > 0) {
      const id = e - 1;
      const preds = [...frontier];
      for (const p of preds) g.add(p, id, REALTIME);
      before.set(id, preds);
    } else if (e < 0) {
      const id = -e - 1;
      for (const p of before.get(id) ?? []) frontier.delete(p);
      before.delete(id);
      frontier.add(id);
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
