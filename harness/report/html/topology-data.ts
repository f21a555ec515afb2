/**
 * The run's network as the report draws it: the nodes, the links between them (the broadcast topology the
 * run was given, else every pair, since every node reaches every other), and what the nemesis did to them:
 * links a partition cut (and in which direction), nodes taken down (by any fault whose value says
 * `effect: "node-down"`: kill, pause, file, ...), traitors. Data only; the picture is topology-svg.ts.
 *
 * Node names come from the history, which may be a file from anywhere: they are kept as text here and
 * escaped where drawn.
 */
import { effectOf } from '../../../histories/nemesis-value.js';
import type { Op } from '../../../histories/op.js';
import type { RunMeta } from '../../../histories/run-record.js';
import { makeTopology, parseTopologyName } from '../../topology.js';

/** More nodes than this make a hairball, not a picture: the report then says so instead. */
export const MAX_TOPOLOGY_NODES = 64;

export interface TopologyLink {
  a: string;
  b: string;
  /** Partition windows in which a heard nothing from b, and b nothing from a. */
  cutAB: number;
  cutBA: number;
}

export interface TopologyView {
  /** The shape's name: a --topology name, or `complete` when every node reaches every other. */
  shape: string;
  nodes: string[];
  links: TopologyLink[];
  /** Pairs a partition cut that are not links of the shape (a sparse broadcast graph). */
  otherCuts: number;
  partitions: number;
  /** Per node: in how many windows of each node-down fault (kind -> count) it was down, and whether it lied. */
  faults: Record<string, { down: Record<string, number>; traitor: boolean }>;
  /** Set when there is nothing to draw, saying why. */
  omitted?: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const byName = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

/** Words for a node a fault took down: the two everyone knows get their verb, any other fault its name. */
export function downWord(kind: string): string {
  return kind === 'kill' ? 'killed' : kind === 'pause' ? 'paused' : `down (${kind})`;
}

export function topologyData(ops: readonly Op[], meta?: RunMeta): TopologyView | null {
  const starts = ops.filter((o) => o.process === 'nemesis' && typeof o.f === 'string' && o.f.startsWith('start-'));
  // Nodes: the run's own n1..nN when it has a run.json; else every node the history names.
  const named = new Set<string>();
  if (meta) for (let i = 1; i <= meta.config.nodes; i++) named.add(`n${i}`);
  else {
    for (const o of ops) if (typeof o.node === 'string') named.add(o.node);
    for (const o of starts) if (isRecord(o.value) && isRecord(o.value.grudge)) for (const [k, v] of Object.entries(o.value.grudge)) [k, ...strings(v)].forEach((n) => named.add(n));
  }
  const nodes = [...named].sort(byName);
  if (nodes.length < 2) return null;
  const topologyName = meta?.config.topology;
  const shape = topologyName ? parseTopologyName(topologyName) : 'complete';
  const faults: TopologyView['faults'] = Object.fromEntries(nodes.map((n) => [n, { down: {}, traitor: false }]));
  if (nodes.length > MAX_TOPOLOGY_NODES) {
    return { shape, nodes, links: [], otherCuts: 0, partitions: 0, faults, omitted: `${nodes.length} nodes are too many to draw (at most ${MAX_TOPOLOGY_NODES})` };
  }

  const linkOf = new Map<string, TopologyLink>();
  const key = (a: string, b: string) => (byName(a, b) <= 0 ? `${a}\u0000${b}` : `${b}\u0000${a}`);
  if (shape === 'complete' || !meta) {
    for (let i = 0; i < nodes.length; i++) for (let j = i + 1; j < nodes.length; j++) linkOf.set(key(nodes[i], nodes[j]), { a: nodes[i], b: nodes[j], cutAB: 0, cutBA: 0 });
  } else {
    const t = makeTopology(shape, nodes, meta.seed);
    for (const [a, peers] of Object.entries(t)) for (const b of peers) if (byName(a, b) < 0) linkOf.set(key(a, b), { a, b, cutAB: 0, cutBA: 0 });
  }

  let partitions = 0;
  const other = new Set<string>();
  for (const o of starts) {
    const kind = o.f.slice('start-'.length);
    const v = isRecord(o.value) ? o.value : {};
    for (const n of strings(v.traitors)) if (faults[n]) faults[n].traitor = true;
    if (effectOf(kind, o.value) === 'node-down') for (const n of strings(v.nodes)) if (faults[n]) faults[n].down[kind] = (faults[n].down[kind] ?? 0) + 1;
    if (kind !== 'partition' || !isRecord(v.grudge)) continue;
    partitions++;
    // grudge[x] lists the nodes x hears nothing from.
    for (const [x, from] of Object.entries(v.grudge)) {
      for (const y of strings(from)) {
        const l = linkOf.get(key(x, y));
        if (!l) {
          if (named.has(x) && named.has(y) && x !== y) other.add(key(x, y));
          continue;
        }
        if (l.a === x) l.cutAB++;
        else l.cutBA++;
      }
    }
  }
  return { shape, nodes, links: [...linkOf.values()], otherCuts: other.size, partitions, faults };
}
