/**
 * Cycle search in the dependency graph, one anomaly class at a time, worst first (after Elle): G0 (a cycle of
 * write-write edges), G1c (write-write and write-read, with a write-read), G-single (exactly one read-write
 * anti-dependency), G-nonadjacent (several, no two in a row), G2-item (any with an anti-dependency). Each
 * has a `-process` variant, where the order in which a client ran its transactions closes the cycle, and a
 * `-realtime` one, where real time does.
 *
 * For each variant the graph is split into strongly connected components over the edges that variant may
 * use, so a search only starts from an edge whose ends are in one component and mostly succeeds at once.
 * Each component gets a time budget; a search that runs out says which classes it could not finish, and the
 * checker answers unknown rather than valid for them.
 */
import { DATA, PROCESS, RW, REALTIME, WR, WW, relOf, stronglyConnected, type DepGraph, type Rel } from './graph.js';

export const BASE_CLASSES = ['G0', 'G1c', 'G-single', 'G-nonadjacent', 'G2-item'] as const;
export type BaseClass = (typeof BASE_CLASSES)[number];
export type Variant = '' | '-process' | '-realtime';

export interface FoundCycle {
  /** e.g. `G-single` or `G0-realtime`. */
  type: string;
  /** Transaction ids; `nodes[i]` precedes `nodes[i+1]` (and the last precedes the first) by `rels[i]`. */
  nodes: number[];
  rels: Rel[];
}

/** What a cycle is, read off its edges: the strongest reading of each edge, then the fewest assumptions. */
export function classify(rels: readonly Rel[]): string {
  const n = rels.length;
  let rw = 0;
  let adjacent = false;
  let process = false;
  let realtime = false;
  for (let i = 0; i < n; i++) {
    const r = rels[i];
    if (r === 'rw') {
      rw++;
      if (rels[(i + 1) % n] === 'rw' && n > 1) adjacent = true;
    } else if (r === 'process') process = true;
    else if (r === 'realtime') realtime = true;
  }
  const wr = rels.includes('wr');
  const base = rw === 0 ? (wr ? 'G1c' : 'G0') : rw === 1 ? 'G-single' : adjacent ? 'G2-item' : 'G-nonadjacent';
  if (rw === 0 && !wr && !rels.includes('ww')) return realtime ? 'G0-realtime' : 'G0-process';
  return base + (realtime ? '-realtime' : process ? '-process' : '');
}

const EXTRA: Record<Variant, number> = { '': 0, '-process': PROCESS, '-realtime': PROCESS | REALTIME };

class OutOfTime extends Error {}

/** Scratch space for breadth-first searches, reused across searches on one graph. */
class Searcher {
  private readonly stamp: Int32Array;
  private readonly parent: Int32Array;
  private readonly parentRel: Uint8Array;
  private epoch = 0;
  private steps = 0;
  deadline = Infinity;

  constructor(
    private readonly g: DepGraph,
    states: number,
  ) {
    this.stamp = new Int32Array(states);
    this.parent = new Int32Array(states);
    this.parentRel = new Uint8Array(states);
  }

  /** A new budget; the first step after it checks the clock, so even a tiny search honours a zero budget. */
  setDeadline(at: number): void {
    this.deadline = at;
    this.steps = 255;
  }

  private tick(): void {
    if ((++this.steps & 255) === 0 && performance.now() > this.deadline) throw new OutOfTime();
  }

  /** Shortest path from `from` to `to` over edges whose label meets `allowed`, inside one component. */
  path(from: number, to: number, allowed: number, comp: Int32Array, c: number): { nodes: number[]; masks: number[] } | undefined {
    const g = this.g;
    const e = ++this.epoch;
    const queue = [from];
    this.stamp[from] = e;
    for (let qi = 0; qi < queue.length; qi++) {
      const v = queue[qi];
      this.tick();
      for (let i = g.start[v], end = g.start[v + 1]; i < end; i++) {
        const w = g.targets[i];
        if ((g.masks[i] & allowed) === 0 || comp[w] !== c || this.stamp[w] === e) continue;
        this.stamp[w] = e;
        this.parent[w] = v;
        if (w === to) {
          const nodes = [to];
          for (let x = to; x !== from; ) {
            x = this.parent[x];
            nodes.push(x);
          }
          nodes.reverse();
          const masks = nodes.slice(0, -1).map((x, k) => g.label(x, nodes[k + 1]) & allowed);
          return { nodes, masks };
        }
        queue.push(w);
      }
    }
    return undefined;
  }

  /**
   * A path from `from` to `to` whose read-write steps are never adjacent, with at least one read-write step,
   * arriving by a non-read-write step: closed by a read-write edge `to -> from`, a G-nonadjacent cycle.
   * States are (node, last step was rw, some rw seen).
   */
  nonadjacent(from: number, to: number, other: number, comp: Int32Array, c: number): { nodes: number[]; rels: Rel[] } | undefined {
    const g = this.g;
    const e = ++this.epoch;
    const enc = (v: number, prevRw: number, seen: number): number => v * 4 + prevRw * 2 + seen;
    const start = enc(from, 1, 0);
    const queue = [start];
    this.stamp[start] = e;
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi];
      this.tick();
      const v = s >> 2;
      const prevRw = (s >> 1) & 1;
      const seen = s & 1;
      for (let i = g.start[v], end = g.start[v + 1]; i < end; i++) {
        const w = g.targets[i];
        if (comp[w] !== c) continue;
        const l = g.masks[i];
        const moves: [number, number][] = [];
        if (l & other) moves.push([enc(w, 0, seen), 0]);
        if (l & RW && !prevRw) moves.push([enc(w, 1, 1), 1]);
        for (const [ns, isRw] of moves) {
          if (this.stamp[ns] === e) continue;
          this.stamp[ns] = e;
          this.parent[ns] = s;
          this.parentRel[ns] = isRw;
          if (w === to && isRw === 0 && (ns & 1) === 1) {
            const nodes: number[] = [];
            const rels: Rel[] = [];
            for (let x = ns; x !== start; x = this.parent[x]) {
              nodes.push(x >> 2);
              rels.push(this.parentRel[x] ? 'rw' : relOf(g.label(this.parent[x] >> 2, x >> 2) & other));
            }
            nodes.push(from);
            // A walk through states may pass a transaction twice; only a simple cycle is an anomaly.
            if (new Set(nodes).size !== nodes.length) continue;
            nodes.reverse();
            rels.reverse();
            return { nodes, rels };
          }
          queue.push(ns);
        }
      }
    }
    return undefined;
  }
}

export interface SearchOptions {
  /** Which variants to search (the chosen consistency models decide). */
  variants: Variant[];
  /** Time budget for each strongly connected component, in ms. */
  budgetMs: number;
  /** At most this many cycles reported per anomaly type. */
  maxPerType: number;
}

export interface SearchResult {
  cycles: FoundCycle[];
  /** Why some classes could not be searched to the end. */
  incomplete: string[];
  /** Components (over every edge) that hold a cycle. */
  components: number;
  largestComponent: number;
}

function cycleKey(nodes: readonly number[]): string {
  return [...nodes].sort((a, b) => a - b).join(',');
}

/** Find cycles of each class, worst first, in each strongly connected component. */
export function findCycles(g: DepGraph, opts: SearchOptions): SearchResult {
  const all = stronglyConnected(g, DATA | PROCESS | REALTIME);
  const result: SearchResult = { cycles: [], incomplete: [], components: all.components.length, largestComponent: Math.max(0, ...all.components.map((c) => c.length)) };
  if (all.components.length === 0) return result;
  const searcher = new Searcher(g, g.n * 4);
  const seen = new Set<string>();
  const perType = new Map<string, number>();
  const found = new Set<number>(); // components (over every edge) in which some cycle was reported
  const report = (nodes: number[], rels: Rel[]): void => {
    const type = classify(rels);
    const key = `${type}|${cycleKey(nodes)}`;
    if (seen.has(key)) return;
    seen.add(key);
    found.add(all.componentOf[nodes[0]]);
    const count = perType.get(type) ?? 0;
    perType.set(type, count + 1);
    if (count < opts.maxPerType) result.cycles.push({ type, nodes, rels });
  };
  const closed = (nodes: number[], masks: number[], lastMask: number): Rel[] => [...masks.map(relOf), relOf(lastMask)];

  for (const variant of opts.variants) {
    const extra = EXTRA[variant];
    const sub = variant === '-realtime' ? all : stronglyConnected(g, DATA | extra);
    for (let c = 0; c < sub.components.length; c++) {
      const members = sub.components[c];
      const comp = sub.componentOf;
      searcher.setDeadline(performance.now() + opts.budgetMs);
      const starts = (bits: number): [number, number, number][] => {
        const out: [number, number, number][] = [];
        for (const a of members) {
          for (let i = g.start[a], end = g.start[a + 1]; i < end; i++) if (g.masks[i] & bits && comp[g.targets[i]] === c) out.push([a, g.targets[i], g.masks[i]]);
        }
        return out;
      };
      let cls: BaseClass = 'G0';
      try {
        for (cls of BASE_CLASSES) {
          const want = cls + variant;
          if ((perType.get(want) ?? 0) >= opts.maxPerType) continue;
          if (cls === 'G0' || cls === 'G1c') {
            const allowed = (cls === 'G0' ? WW : WW | WR) | extra;
            // Start where the class's own ingredient is: a wr edge for G1c, a process/realtime edge for variants.
            const startBits = variant ? extra : cls === 'G0' ? WW : WR;
            for (const [a, b, l] of starts(startBits)) {
              if ((l & allowed) === 0) continue;
              const p = searcher.path(b, a, allowed, comp, c);
              if (p) {
                report(p.nodes, closed(p.nodes, p.masks, l & allowed));
                if (classify(closed(p.nodes, p.masks, l & allowed)) === want) break;
              }
            }
          } else if (cls === 'G-single') {
            for (const [a, b] of starts(RW)) {
              const p = searcher.path(b, a, WW | WR | extra, comp, c);
              if (p) {
                const rels: Rel[] = [...p.masks.map(relOf), 'rw'];
                report(p.nodes, rels);
                if (classify(rels) === want) break;
              }
            }
          } else if (cls === 'G-nonadjacent') {
            for (const [a, b] of starts(RW)) {
              const p = searcher.nonadjacent(b, a, WW | WR | extra, comp, c);
              if (p) {
                const rels: Rel[] = [...p.rels, 'rw'];
                report(p.nodes, rels);
                if (classify(rels) === want) break;
              }
            }
          } else {
            for (const [a, b] of starts(RW)) {
              const p = searcher.path(b, a, DATA | extra, comp, c);
              if (p) {
                const rels: Rel[] = [...p.masks.map(relOf), 'rw'];
                report(p.nodes, rels);
                if (classify(rels) === want) break;
              }
            }
          }
        }
      } catch (err) {
        if (!(err instanceof OutOfTime)) throw err;
        const rest = BASE_CLASSES.slice(BASE_CLASSES.indexOf(cls)).map((x) => x + variant);
        result.incomplete.push(`the cycle search in a component of ${members.length} transactions ran out of its ${opts.budgetMs} ms budget before finishing ${rest.join(', ')}`);
      }
    }
  }
  const missed = all.components.filter((_, i) => !found.has(i));
  if (missed.length > 0 && result.incomplete.length === 0 && opts.variants.length === 3) {
    result.incomplete.push(`${missed.length} strongly connected component(s) hold a cycle that no class search reported`);
  }
  return result;
}
