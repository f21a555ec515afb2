/**
 * The targets faultline knows. Real-system targets load on demand, so a simulated run never pays for the
 * etcd or Redis client libraries.
 */
import { InputError } from '../histories/errors.js';
import type { Target } from '../harness/target.js';

const LOADERS: Record<string, () => Promise<Target>> = {
  builtin: async () => (await import('./maelstrom/target.js')).builtinTarget,
  maelstrom: async () => (await import('./maelstrom/target.js')).maelstromTarget,
  etcd: async () => (await import('./etcd/index.js')).etcdTarget,
  redis: async () => (await import('./redis/index.js')).redisTarget,
  postgres: async () => (await import('./postgres/index.js')).postgresTarget,
  nats: async () => (await import('./nats/index.js')).natsTarget,
};

export const TARGET_NAMES = Object.keys(LOADERS);

export async function loadTarget(name: string): Promise<Target> {
  const load = LOADERS[name];
  if (!load) throw new InputError(`unknown target "${name}"; targets: ${TARGET_NAMES.join(', ')}`);
  return load();
}
