/**
 * Network partitions: one of Jepsen's shapes (partition-shapes.ts), made by dropping messages by source, and
 * healed all at once. A new partition replaces the one in force, as Runtime.partition does.
 */
import { z } from 'zod';
import { NodeListSchema } from '../../histories/nemesis-value.js';
import type { Fault } from './fault.js';
import { makePartition, PARTITION_SHAPES, partitionShapesFor, type Partition } from './partition-shapes.js';

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
  plan: ({ nodes, rng }) => makePartition(rng.pick(partitionShapesFor(nodes.length)), nodes, rng),
  apply: (rt, p) => rt.partition(p.grudge),
  undo: (rt) => rt.heal(),
  value: (p) => ({ shape: p.shape, grudge: p.grudge, ...(p.components ? { components: p.components } : {}) }),
};
