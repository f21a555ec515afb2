/** Lossy links: drop 5-40% of the messages on every inter-node link. */
import { z } from 'zod';
import type { Fault } from './fault.js';

export const lossFault: Fault<{ loss: number }> = {
  name: 'loss',
  summary: 'drop 5-40% of inter-node messages at random',
  needs: ['loss'],
  effect: 'link',
  schema: z.object({ loss: z.number().min(0).max(1) }),
  plan: ({ rng }) => ({ loss: Math.round(rng.int(5, 40)) / 100 }),
  apply: (rt, l) => rt.setLinkFaults(l),
  undo: (rt) => rt.setLinkFaults(null),
  value: (l) => ({ ...l }),
};
