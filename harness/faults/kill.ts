/**
 * Crashes: SIGKILL a minority of the nodes, and start them again (same data) when the window ends. Aimed
 * (`kill-primary`), it kills the node the target names as primary when the window starts.
 */
import { z } from 'zod';
import { NodeListSchema } from '../../histories/nemesis-value.js';
import { aimNodes, minorityNodes, type Fault } from './fault.js';

export const killFault: Fault<{ nodes: string[] }> = {
  name: 'kill',
  summary: 'SIGKILL a minority of the nodes, then restart them with their data',
  needs: ['kill'],
  effect: 'node-down',
  schema: z.object({ nodes: NodeListSchema.min(1) }),
  plan: ({ nodes, rng }) => ({ nodes: minorityNodes(nodes, rng) }),
  aimAt: aimNodes,
  async apply(rt, { nodes }) {
    for (const n of nodes) await rt.kill(n);
  },
  async undo(rt, { nodes }) {
    for (const n of nodes) await rt.restart(n);
  },
  value: ({ nodes }) => ({ nodes }),
};
