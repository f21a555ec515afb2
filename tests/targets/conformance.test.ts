/**
 * One conformance suite for every real target, run the same way on each: the cluster starts and becomes
 * healthy, a client's write is read back, every node's final read sees it, a killed node restarts and catches
 * up on a write made while it was down, and teardown leaves no process or namespace behind. Target-specific
 * behaviour under faults lives in the targets' own suites; this file holds what every target must do.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadTarget } from '../../targets/index.js';
import { NetnsRuntime } from '../../harness/netns/runtime.js';
import type { DockerRuntime } from '../../harness/docker/runtime.js';
import { connectEngine, RUN_LABEL } from '../../harness/docker/engine.js';
import type { RuntimeKind } from '../../harness/target.js';
import { listNamespaces } from '../../harness/netns/shell.js';
import { procState } from '../../harness/kernel/procs.js';
import type { Client, Cluster, ClientResult } from '../../harness/target.js';
import { describeWithEnv } from '../harness/netns/env.js';
import { checkDocker, describeWithDocker } from '../harness/docker/env.js';
import { nodeNames, retry, testContext } from '../harness/netns/cluster-context.js';

interface Case {
  target: string;
  config: string;
  /** Binaries the target needs (a bare name is looked up in the usual folders). */
  binaries: string[];
  /** Processes each node runs. */
  procsPerNode: number;
  runtimes: RuntimeKind[];
}

const CASES: Case[] = [
  { target: 'etcd', config: 'cp', binaries: ['etcd'], procsPerNode: 1, runtimes: ['netns', 'docker'] },
  { target: 'redis', config: 'ap', binaries: ['redis-server'], procsPerNode: 2, runtimes: ['netns', 'docker'] },
  { target: 'postgres', config: 'sync', binaries: ['/usr/lib/postgresql/15/bin/postgres', 'setpriv'], procsPerNode: 1, runtimes: ['netns', 'docker'] },
  { target: 'nats', config: 'cp', binaries: ['nats-server'], procsPerNode: 1, runtimes: ['netns', 'docker'] },
];
const dockerEnv = await checkDocker();

/** The same body under each runtime's gate: binaries on the host for netns, an engine for docker. */
function describeOn(runtime: RuntimeKind, tc: Case, body: () => void): void {
  const name = `${tc.target} conformance on ${runtime}`;
  if (runtime === 'docker') describeWithDocker(name, dockerEnv, body);
  else describeWithEnv(name, ['ip', 'iptables', 'iptables-restore', ...tc.binaries], body);
}

/** Live processes of a node: its PIDs on netns; on docker, the container's main process while it runs. */
function livePids(rt: NetnsRuntime | DockerRuntime, node: string): number[] {
  if (rt instanceof NetnsRuntime) return rt.pidsOf(node);
  const pid = rt.isRunning(node) ? rt.pidOf(node) : null;
  return pid === null ? [] : [pid];
}

const NODES = nodeNames(3);
const ok = (r: ClientResult) => r.type === 'ok';

for (const tc of CASES) for (const runtime of tc.runtimes) {
  describeOn(runtime, tc, () => {
    let cluster: Cluster;
    let dispose: () => void;
    const clients: Client[] = [];
    const rt = () => cluster.runtime as NetnsRuntime | DockerRuntime;
    const perNode = runtime === 'netns' ? tc.procsPerNode : 1;

    async function client(node: string): Promise<Client> {
      const c = await cluster.openClient(node, clients.length);
      clients.push(c);
      return c;
    }

    beforeAll(async () => {
      const t = testContext(`conf-${tc.target}`, NODES, tc.config, 'register');
      dispose = t.dispose;
      cluster = await (await loadTarget(tc.target)).create({ ...t.ctx, runtime });
      const t0 = Date.now();
      await cluster.runtime.start();
      await cluster.awaitHealthy(120_000);
      console.log(`[conformance ${tc.target} ${NODES.length} nodes ${runtime}] healthy ${Date.now() - t0} ms after start`);
    }, 150_000);

    afterAll(async () => {
      for (const c of clients) await c.close();
      await cluster?.runtime.teardown();
      dispose?.();
    });

    it('starts every node and reports a version', async () => {
      for (const n of NODES) expect(livePids(rt(), n)).toHaveLength(perNode);
      const v = await cluster.versions();
      expect(Object.values(v)[0]).toMatch(/^\d+\.\d+/);
    });

    it('names one of its nodes as primary, where it declares roles (what --nemesis partition-primary aims at)', async () => {
      const target = await loadTarget(tc.target);
      if (!target.roles?.includes('primary')) {
        expect(cluster.roles).toBeUndefined();
        return;
      }
      const r = await retry(() => cluster.roles!(2000), (x) => x.primary !== undefined, 40, 250);
      expect(NODES).toContain(r.primary);
    });

    it('a write is read back, and cas compares', async () => {
      const c = await client(NODES[1]);
      expect(await retry(() => c.invoke({ f: 'write', key: 1, value: 10 }, 5000), ok, 10, 300)).toEqual({ type: 'ok' });
      expect(await c.invoke({ f: 'read', key: 1 }, 5000)).toEqual({ type: 'ok', value: 10 });
      expect(await c.invoke({ f: 'cas', key: 1, value: [10, 11] }, 5000)).toEqual({ type: 'ok' });
      expect((await c.invoke({ f: 'cas', key: 1, value: [10, 12] }, 5000)).type).toBe('fail');
      expect(await c.invoke({ f: 'read', key: 1 }, 5000)).toEqual({ type: 'ok', value: 11 });
      expect(await c.invoke({ f: 'read', key: 2 }, 5000)).toEqual({ type: 'ok', value: null });
    });

    it("every node's final read sees the write", async () => {
      for (const n of NODES) {
        const r = await retry(() => cluster.finalRead(n, 1, 2000), (x) => x.ok && x.value === 11, 40, 250);
        expect(r, n).toEqual({ ok: true, value: 11 });
      }
    });

    it('a killed node restarts with its data and catches up', async () => {
      const victim = NODES[2];
      await cluster.runtime.kill(victim);
      expect(livePids(rt(), victim)).toEqual([]);
      expect((await cluster.finalRead(victim, 1, 1000)).ok).toBe(false);
      const c = await client(NODES[1]);
      expect(await retry(() => c.invoke({ f: 'write', key: 3, value: 30 }, 3000), ok, 20, 500)).toEqual({ type: 'ok' });
      await cluster.runtime.restart(victim);
      expect(livePids(rt(), victim)).toHaveLength(perNode);
      const r = await retry(() => cluster.finalRead(victim, 3, 2000), (x) => x.ok && x.value === 30, 120, 250);
      expect(r).toEqual({ ok: true, value: 30 });
      expect(await cluster.finalRead(victim, 1, 2000)).toEqual({ ok: true, value: 11 });
    }, 60_000);

    it('teardown leaves no process or namespace behind', async () => {
      const r = rt();
      const pids = NODES.flatMap((n) => livePids(r, n));
      for (const c of clients.splice(0)) await c.close();
      await cluster.runtime.teardown();
      if (r instanceof NetnsRuntime) {
        const nss = await listNamespaces();
        for (const ns of r.namespaces) expect(nss).not.toContain(ns);
      } else {
        const { docker } = connectEngine(dockerEnv.options);
        const filters = { label: [`${RUN_LABEL}=${r.runId}`] };
        expect(await docker.listContainers({ all: true, filters })).toEqual([]);
        expect(await docker.listNetworks({ filters })).toEqual([]);
      }
      for (const pid of pids) expect([null, 'Z']).toContain(procState(pid));
    });
  });
}
