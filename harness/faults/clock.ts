/** Clock skew: move the wall clocks of a minority of the nodes by up to ±5 s, and back when the window ends. */
import { z } from 'zod';
import { minorityNodes, type Fault } from './fault.js';

export const clockFault: Fault<{ offsets: Record<string, number> }> = {
  name: 'clock',
  summary: 'skew the wall clocks of a minority of the nodes by up to ±5 s',
  needs: ['clock'],
  effect: 'clock',
  schema: z.object({ offsets: z.record(z.string(), z.number().int().min(-86_400_000).max(86_400_000)) }),
  plan({ nodes, rng }) {
    const offsets: Record<string, number> = {};
    for (const n of minorityNodes(nodes, rng)) offsets[n] = rng.int(-5000, 5000);
    return { offsets };
  },
  async apply(rt, { offsets }) {
    for (const [n, ms] of Object.entries(offsets)) await rt.clockSkew(n, ms);
  },
  async undo(rt, { offsets }) {
    for (const n of Object.keys(offsets)) await rt.clockSkew(n, 0);
  },
  value: ({ offsets }) => ({ offsets, nodes: Object.keys(offsets) }),
};
