/**
 * Cluster up time, docker vs netns: runtime.start() until all 3 etcd members answer /health, then teardown.
 * The bench table times the whole cycle; each round also prints its up time and teardown time apart.
 * Run: `DOCKER_HOST=... npx vitest bench --run tests/harness/docker/uptime.bench.ts`.
 * A runtime whose prerequisites are missing (no engine, not root) is left out with a message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { DockerRuntime } from '../../../harness/docker/runtime.js';
import { NetnsRuntime } from '../../../harness/netns/runtime.js';
import type { Runtime } from '../../../harness/runtime.js';
import { etcdLauncher } from '../../../targets/etcd/launch.js';
import { checkDocker } from './env.js';
import { awaitEtcd } from './probes.js';

const NODES = ['n1', 'n2', 'n3'];
const docker = await checkDocker();
const isRoot = typeof process.getuid !== 'function' || process.getuid() === 0;
let round = 0;

async function upOnce(label: string, make: (runId: string, dir: string) => Runtime & { addressOf(n: string): string }): Promise<void> {
  const runId = `uptime-${process.pid}-${round++}`;
  const dir = mkdtempSync(join(tmpdir(), 'faultline-uptime-'));
  const rt = make(runId, dir);
  const t0 = performance.now();
  let up = NaN;
  try {
    await rt.start();
    const stuck = await awaitEtcd(NODES.map((n) => rt.addressOf(n)), 60_000);
    if (stuck.length > 0) throw new Error(`etcd never healthy on ${stuck.join(', ')}`);
    up = performance.now() - t0;
  } finally {
    const t1 = performance.now();
    await rt.teardown();
    console.info(`[uptime] ${label}: up+healthy ${up.toFixed(0)} ms, teardown ${(performance.now() - t1).toFixed(0)} ms`);
    rmSync(dir, { recursive: true, force: true });
  }
}

const opts = { iterations: 5, warmupIterations: 1, time: 0, warmupTime: 0 };

describe('3-node etcd: start() until every member is healthy', () => {
  if (docker.ok) {
    bench(
      'docker',
      () =>
        upOnce(
          'docker',
          (runId, dir) =>
            new DockerRuntime({ runId, nodes: NODES, image: 'faultline/etcd:local', launch: etcdLauncher(runId), dataDir: join(dir, 'data'), logDir: join(dir, 'logs') }),
        ),
      opts,
    );
  } else console.warn(`[uptime] docker left out: ${docker.reason}`);
  if (isRoot) {
    bench(
      'netns',
      () => upOnce('netns', (runId, dir) => new NetnsRuntime({ runId, nodes: NODES, launch: etcdLauncher(runId), dataDir: join(dir, 'data'), logDir: join(dir, 'logs') })),
      opts,
    );
  } else console.warn('[uptime] netns left out: needs root');
});
