/**
 * File faults: kill a minority of the nodes, truncate or corrupt the newest of each one's data files (the
 * files its target names: NATS' JetStream block files) while it is down, and restart it when the window
 * ends, as the 2025 Jepsen NATS analysis did. What a node then does with a damaged file (refuse to start,
 * rebuild it from its peers, or serve less than it acknowledged) is what the checkers judge.
 */
import { z } from 'zod';
import { NodeListSchema } from '../../histories/nemesis-value.js';
import { UnsupportedFault } from '../runtime.js';
import { minorityNodes, type Fault } from './fault.js';

const Spec = z.object({
  nodes: NodeListSchema.min(1),
  mode: z.enum(['truncate', 'corrupt']),
  /** Where in the file, as a fraction of its length: truncate keeps this much, corrupt flips bytes from here. */
  at: z.number().min(0).max(1),
});
type FileSpec = z.infer<typeof Spec>;

/**
 * What apply did to each node's files, for the stop op's value. Keyed by the window's spec as JSON (apply and
 * undo are handed equal specs, not the same object); windows never overlap, and undo forgets its entry.
 */
const done = new Map<string, Record<string, Record<string, unknown>>>();

export const fileFault: Fault<FileSpec> = {
  name: 'file',
  summary: "kill a minority of the nodes, truncate or corrupt each one's newest data file, then restart them",
  needs: ['kill', 'files'],
  effect: 'node-down',
  schema: Spec,
  plan: ({ nodes, rng }) => ({
    nodes: minorityNodes(nodes, rng),
    mode: rng.chance(0.5) ? 'truncate' : 'corrupt',
    // Two decimals: the plan reads well in run.json, and a cut lands anywhere from the start to the end.
    at: Math.round(rng.next() * 100) / 100,
  }),
  async apply(rt, spec) {
    const { nodes, mode, at } = spec;
    if (!rt.damageFile) throw new UnsupportedFault('this runtime cannot damage node files');
    for (const n of nodes) await rt.kill(n);
    const damaged: Record<string, Record<string, unknown>> = {};
    done.set(JSON.stringify(spec), damaged);
    for (const n of nodes) damaged[n] = await rt.damageFile(n, { mode, at });
  },
  async undo(rt, spec) {
    for (const n of spec.nodes) await rt.restart(n);
    const damaged = done.get(JSON.stringify(spec));
    done.delete(JSON.stringify(spec));
    return damaged ? { damaged } : undefined;
  },
  value: ({ nodes, mode, at }) => ({ nodes, mode, at }),
};
