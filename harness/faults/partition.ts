/**
 * Network partitions: one of Jepsen's shapes (partition-shapes.ts), made by dropping messages by source, and
 * healed all at once. A new partition replaces the one in force, as Runtime.partition does. Aimed at the
 * primary (`partition-primary`), it cuts off a minority that holds the node the target names as primary.
 */
import { z } from 'zod';
import { NodeListSchema } from '../../histories/nemesis-value.js';
import type { Fault } from './fault.js';
import { AIMABLE_SHAPES, aimPartition, makePartition, PARTITION_SHAPES, partitionShapesFor, type Partition } from './partition-shapes.js';

export const partitionFault: Fault<Partition> = {
  name: 'partition',
  summary: 'cut the cluster along one of Jepsen\'s shapes (isolate-one, majority-minority, bridge, one-way, ...)',
  needs: ['partition'],
  effect: 'link',
  schema: z.object({
    shape: z.enum(PARTITION_SHAPES),
    grudge: z.record(z.string(), NodeListSchema),
    components: z.array(NodeListSchema).optional(),
  }),
  check({ nodes }) {
    if (partitionShapesFor(nodes.length).length === 0) throw new RangeError(`a partition needs at least 2 nodes; this cluster has ${nodes.length}`);
  },
  // Aimed at a role: a shape with a minority side, which aimAt moves the role's holder into.
  plan: ({ nodes, rng, aim }) => makePartition(rng.pick(partitionShapesFor(nodes.length).filter((s) => !aim || AIMABLE_SHAPES.includes(s))), nodes, rng),
  aimAt: (p, node) => aimPartition(p, node),
  apply: (rt, p) => rt.partition(p.grudge),
  undo: (rt) => rt.heal(),
  value: (p) => ({ shape: p.shape, grudge: p.grudge, ...(p.components ? { components: p.components } : {}) }),
};
