/** Crashes: SIGKILL a minority of the nodes, and start them again (same data) when the window ends. */
import { z } from 'zod';
import { NodeListSchema } from '../../histories/nemesis-value.js';
import { minorityNodes, type Fault } from './fault.js';

export const killFault: Fault<{ nodes: string[] }> = {
  name: 'kill',
  summary: 'SIGKILL a minority of the nodes, then restart them with their data',
  needs: ['kill'],
  effect: 'node-down',
  schema: z.object({ nodes: NodeListSchema.min(1) }),
  plan: ({ nodes, rng }) => ({ nodes: minorityNodes(nodes, rng) }),
  async apply(rt, { nodes }) {
    for (const n of nodes) await rt.kill(n);
  },
  async undo(rt, { nodes }) {
    for (const n of nodes) await rt.restart(n);
  },
  value: ({ nodes }) => ({ nodes }),
};
