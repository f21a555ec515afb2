/**
 * Partition shapes, as Jepsen names them. Each returns a grudge (node -> nodes it drops messages from) and,
 * where the shape cuts the cluster into disjoint sides, those sides (the availability checker uses them to
 * tell the majority side from the minority side).
 */
import type { Grudge, NodeId } from '../runtime.js';
import type { Rng } from '../rng.js';

export const PARTITION_SHAPES = [
  'isolate-one',
  'majority-minority',
  'random-halves',
  'bridge',
  'majorities-ring',
  'one-way',
] as const;
export type PartitionShape = (typeof PARTITION_SHAPES)[number];

/**
 * The fewest nodes for which a shape cuts any link. Below it the shape degenerates into no partition at all
 * (a majorities ring of three nodes lets every node see everyone; a 2-node majority leaves no minority), and
 * a schedule that picked it would report a partition that never happened.
 */
const MIN_NODES: Record<PartitionShape, number> = {
  'isolate-one': 2,
  'majority-minority': 3,
  'random-halves': 2,
  bridge: 3,
  'majorities-ring': 4,
  'one-way': 2,
};

/** The shapes that really partition a cluster of `n` nodes (none for a single node). */
export function partitionShapesFor(n: number): PartitionShape[] {
  return PARTITION_SHAPES.filter((s) => n >= MIN_NODES[s]);
}

export interface Partition {
  shape: PartitionShape;
  grudge: Grudge;
  components?: NodeId[][];
}

/** Every node in `a` drops messages from every node in `b`, and the other way round. */
function complete(sides: NodeId[][]): Grudge {
  const g: Grudge = {};
  for (const side of sides) {
    const others = sides.filter((s) => s !== side).flat();
    for (const n of side) g[n] = [...others].sort();
  }
  return g;
}

function split(nodes: NodeId[], at: number): NodeId[][] {
  return [nodes.slice(0, at).sort(), nodes.slice(at).sort()];
}

/** Shapes that cut off a minority, which an aimed partition moves a role's holder into (see aimPartition). */
export const AIMABLE_SHAPES: readonly PartitionShape[] = ['isolate-one', 'majority-minority'];

/**
 * The partition with `node` on its smallest side: if it is elsewhere, it trades places with the first node
 * of that side. Sizes and shape stay as planned, so a plan aimed at the primary cuts off a minority that
 * holds the primary (on 3 nodes: the primary alone), whoever that is when the window starts.
 */
export function aimPartition(p: Partition, node: NodeId): Partition {
  if (!p.components || p.components.length < 2) throw new RangeError(`a ${p.shape} partition has no minority side to aim at ${node}`);
  const smallest = p.components.reduce((a, b) => (b.length < a.length ? b : a));
  if (smallest.includes(node)) return p;
  const other = p.components.find((c) => c.includes(node));
  if (!other) throw new RangeError(`${node} is not in this partition`);
  const out = smallest[0];
  const swap = (c: NodeId[]) => (c === smallest ? [node, ...c.slice(1)] : c === other ? c.map((x) => (x === node ? out : x)) : c).sort();
  const components = p.components.map(swap);
  return { shape: p.shape, grudge: complete(components), components };
}

export function makePartition(shape: PartitionShape, nodes: readonly NodeId[], rng: Rng): Partition {
  const n = nodes.length;
  const shuffled = rng.shuffle(nodes);
  const majority = Math.floor(n / 2) + 1;
  switch (shape) {
    case 'isolate-one': {
      const components = split(shuffled, 1).reverse();
      return { shape, grudge: complete(components), components };
    }
    case 'majority-minority': {
      const components = split(shuffled, majority);
      return { shape, grudge: complete(components), components };
    }
    case 'random-halves': {
      const components = split(shuffled, rng.int(1, n - 1));
      return { shape, grudge: complete(components), components };
    }
    case 'bridge': {
      // Two sides that share one node: the bridge sees everyone, the sides do not see each other.
      const half = Math.floor(n / 2);
      const bridge = shuffled[half];
      const left = shuffled.slice(0, half);
      const right = shuffled.slice(half + 1);
      const g: Grudge = {};
      for (const a of left) g[a] = [...right].sort();
      for (const b of right) g[b] = [...left].sort();
      g[bridge] = [];
      return { shape, grudge: g };
    }
    case 'majorities-ring': {
      // Nodes on a ring each see their nearest neighbours: every node sees a majority, no two the same one.
      const reach = Math.ceil((majority - 1) / 2);
      const g: Grudge = {};
      shuffled.forEach((node, i) => {
        const seen = new Set<NodeId>();
        for (let d = -reach; d <= reach; d++) seen.add(shuffled[(i + d + n) % n]);
        g[node] = shuffled.filter((m) => !seen.has(m)).sort();
      });
      return { shape, grudge: g };
    }
    case 'one-way': {
      // Messages from `from` to `to` are lost; the reverse direction still works.
      const [from, to] = split(shuffled, rng.int(1, n - 1));
      const g: Grudge = {};
      for (const t of to) g[t] = [...from];
      for (const f of from) g[f] = [];
      return { shape, grudge: g };
    }
  }
}
