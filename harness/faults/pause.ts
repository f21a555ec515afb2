/**
 * Process pauses (SIGSTOP / a frozen cgroup) of a minority of the nodes, resumed when the window ends. Aimed
 * (`pause-primary`), it pauses the node the target names as primary when the window starts.
 */
import { z } from 'zod';
import { NodeListSchema } from '../../histories/nemesis-value.js';
import { aimNodes, minorityNodes, type Fault } from './fault.js';

export const pauseFault: Fault<{ nodes: string[] }> = {
  name: 'pause',
  summary: 'freeze a minority of the nodes (SIGSTOP), then resume them',
  needs: ['pause'],
  effect: 'node-down',
  schema: z.object({ nodes: NodeListSchema.min(1) }),
  plan: ({ nodes, rng }) => ({ nodes: minorityNodes(nodes, rng) }),
  aimAt: aimNodes,
  async apply(rt, { nodes }) {
    for (const n of nodes) await rt.pause(n);
  },
  async undo(rt, { nodes }) {
    for (const n of nodes) await rt.resume(n);
  },
  value: ({ nodes }) => ({ nodes }),
};
