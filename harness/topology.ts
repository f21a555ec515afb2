/**
 * Network shapes for broadcast and gossip workloads: which neighbours each node is told to talk to (the
 * `topology` message of Maelstrom's broadcast workload), and how well connected that graph is. The measure
 * is the algebraic connectivity: the second-smallest eigenvalue of the graph's Laplacian (Fiedler), 0 for a
 * disconnected graph and larger the harder the graph is to cut, which bounds how fast gossip can mix.
 */
import { InputError } from '../histories/errors.js';
import { TOPOLOGIES } from '../histories/run-record.js';
import { rngFor } from './rng.js';
import type { NodeId } from './runtime.js';

/** The shapes `compare --topologies` runs by default order; every name of TOPOLOGIES is accepted. */
export { TOPOLOGIES };
export type TopologyName = (typeof TOPOLOGIES)[number];
/** Maelstrom's spellings of the same shapes. */
const ALIASES: Record<string, TopologyName> = { total: 'complete', tree2: 'tree' };

/** Node -> its neighbours, symmetric. */
export type Topology = Record<NodeId, NodeId[]>;

export function parseTopologyName(s: string): TopologyName {
  const name = ALIASES[s] ?? s;
  if (!(TOPOLOGIES as readonly string[]).includes(name)) {
    throw new InputError(`unknown topology "${s}"; topologies: ${TOPOLOGIES.join(', ')}`);
  }
  return name as TopologyName;
}

/** The degree of the random-regular shape. */
export const RANDOM_REGULAR_DEGREE = 3;

function edgesOf(name: TopologyName, n: number, seed: string): [number, number][] {
  const e: [number, number][] = [];
  switch (name) {
    case 'line':
      for (let i = 0; i + 1 < n; i++) e.push([i, i + 1]);
      return e;
    case 'ring':
      for (let i = 0; i + 1 < n; i++) e.push([i, i + 1]);
      if (n > 2) e.push([n - 1, 0]);
      return e;
    case 'grid': {
      // Rows of ceil(sqrt(n)), each node linked to its right and lower neighbours, as Maelstrom lays its grid.
      const w = Math.ceil(Math.sqrt(n));
      for (let i = 0; i < n; i++) {
        if ((i + 1) % w !== 0 && i + 1 < n) e.push([i, i + 1]);
        if (i + w < n) e.push([i, i + w]);
      }
      return e;
    }
    case 'tree':
    case 'tree2':
    case 'tree3':
    case 'tree4': {
      const k = name === 'tree' ? 2 : Number(name.slice(4));
      for (let i = 1; i < n; i++) e.push([Math.floor((i - 1) / k), i]);
      return e;
    }
    case 'total':
    case 'complete':
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) e.push([i, j]);
      return e;
    case 'random-regular':
      return randomRegular(n, seed);
  }
}

/**
 * A connected random d-regular graph by the pairing model, redrawn until simple and connected (a handful of
 * draws at these sizes). Where n*d is odd, one node gets degree d+1; tiny clusters fall back to complete.
 */
function randomRegular(n: number, seed: string): [number, number][] {
  const d = Math.min(RANDOM_REGULAR_DEGREE, n - 1);
  if (d >= n - 1) return edgesOf('complete', n, seed);
  const rng = rngFor(seed, 'topology/random-regular');
  for (let attempt = 0; attempt < 1000; attempt++) {
    const stubs: number[] = [];
    for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) stubs.push(i);
    if (stubs.length % 2 === 1) stubs.push(rng.int(0, n - 1));
    const s = rng.shuffle(stubs);
    const seen = new Set<string>();
    const edges: [number, number][] = [];
    let ok = true;
    for (let i = 0; i < s.length; i += 2) {
      const [a, b] = s[i] < s[i + 1] ? [s[i], s[i + 1]] : [s[i + 1], s[i]];
      if (a === b || seen.has(`${a}-${b}`)) {
        ok = false;
        break;
      }
      seen.add(`${a}-${b}`);
      edges.push([a, b]);
    }
    if (ok && connected(n, edges)) return edges;
  }
  throw new Error(`could not draw a connected random ${d}-regular graph on ${n} nodes`);
}

function connected(n: number, edges: [number, number][]): boolean {
  const adj = Array.from({ length: n }, () => [] as number[]);
  for (const [a, b] of edges) {
    adj[a].push(b);
    adj[b].push(a);
  }
  const seen = new Set([0]);
  const stack = [0];
  while (stack.length) {
    for (const m of adj[stack.pop()!]) {
      if (seen.has(m)) continue;
      seen.add(m);
      stack.push(m);
    }
  }
  return seen.size === n;
}

/** The neighbours of every node under the named shape; random shapes are drawn from the seed. */
export function makeTopology(name: TopologyName, nodes: readonly NodeId[], seed: string): Topology {
  const t: Topology = Object.fromEntries(nodes.map((n) => [n, [] as NodeId[]]));
  for (const [a, b] of edgesOf(name, nodes.length, seed)) {
    t[nodes[a]].push(nodes[b]);
    t[nodes[b]].push(nodes[a]);
  }
  for (const n of nodes) t[n].sort((x, y) => nodes.indexOf(x) - nodes.indexOf(y));
  return t;
}

/** Eigenvalues of a symmetric matrix by the cyclic Jacobi method, ascending. Small matrices only (n <= ~100). */
export function symmetricEigenvalues(m: readonly (readonly number[])[]): number[] {
  const n = m.length;
  const a = m.map((row) => [...row]);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] * a[p][q];
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        // The rotation that zeroes a[p][q] (Golub and Van Loan, Algorithm 8.4.1's symmetric Schur step).
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
      }
    }
  }
  return a.map((row, i) => row[i]).sort((x, y) => x - y);
}

/** The Laplacian's second-smallest eigenvalue (0 for one node or a disconnected graph). */
export function algebraicConnectivity(t: Topology): number {
  const nodes = Object.keys(t);
  const n = nodes.length;
  if (n < 2) return 0;
  const index = new Map(nodes.map((x, i) => [x, i]));
  const L = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (const [a, ns] of Object.entries(t)) {
    const i = index.get(a)!;
    for (const b of new Set(ns)) {
      const j = index.get(b);
      if (j === undefined || j === i) continue;
      L[i][j] = -1;
    }
  }
  // Symmetrise (a neighbour list that names b for a counts the link both ways), then the degrees.
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (L[i][j] === -1) L[j][i] = -1;
  for (let i = 0; i < n; i++) L[i][i] = -L[i].reduce((s, x, j) => (j === i ? s : s + x), 0);
  const ev = symmetricEigenvalues(L)[1];
  return Math.abs(ev) < 1e-9 ? 0 : ev;
}

/** Hops across the graph's widest point (Infinity when it is disconnected). */
export function diameter(t: Topology): number {
  const nodes = Object.keys(t);
  let worst = 0;
  for (const start of nodes) {
    const dist = new Map([[start, 0]]);
    const queue = [start];
    while (queue.length) {
      const x = queue.shift()!;
      for (const y of t[x]) {
        if (dist.has(y)) continue;
        dist.set(y, dist.get(x)! + 1);
        queue.push(y);
      }
    }
    if (dist.size < nodes.length) return Infinity;
    worst = Math.max(worst, ...dist.values());
  }
  return worst;
}
