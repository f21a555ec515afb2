/** Slow links: a delay of 20-200 ms plus up to 50 ms of jitter on every inter-node link. */
import { z } from 'zod';
import type { Fault } from './fault.js';

type Latency = { latencyMs: number; jitterMs: number };

export const latencyFault: Fault<Latency> = {
  name: 'latency',
  summary: 'delay every inter-node message by 20-200 ms plus jitter',
  needs: ['latency'],
  effect: 'link',
  schema: z.object({ latencyMs: z.number().min(0).max(60_000), jitterMs: z.number().min(0).max(60_000) }),
  plan: ({ rng }) => ({ latencyMs: rng.int(20, 200), jitterMs: rng.int(0, 50) }),
  apply: (rt, l) => rt.setLinkFaults(l),
  undo: (rt) => rt.setLinkFaults(null),
  value: (l) => ({ ...l }),
};
