/**
 * One conformance suite for every real target, run the same way on each: the cluster starts and becomes
 * healthy, a client's write is read back, every node's final read sees it, a killed node restarts and catches
 * up on a write made while it was down, and teardown leaves no process or namespace behind. Target-specific
 * behaviour under faults lives in the targets' own suites; this file holds what every target must do.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadTarget } from '../../targets/index.js';
import type { NetnsRuntime } from '../../harness/netns/runtime.js';
import { listNamespaces } from '../../harness/netns/shell.js';
import { procState } from '../../harness/netns/procs.js';
import type { Client, Cluster, ClientResult } from '../../harness/target.js';
import { describeWithEnv } from '../harness/netns/env.js';
import { nodeNames, retry, testContext } from '../harness/netns/cluster-context.js';

interface Case {
  target: string;
  config: string;
  /** Binaries the target needs (a bare name is looked up in the usual folders). */
  binaries: string[];
  /** Processes each node runs. */
  procsPerNode: number;
}

const CASES: Case[] = [
  { target: 'etcd', config: 'cp', binaries: ['etcd'], procsPerNode: 1 },
  { target: 'redis', config: 'ap', binaries: ['redis-server'], procsPerNode: 2 },
  { target: 'postgres', config: 'sync', binaries: ['/usr/lib/postgresql/15/bin/postgres', 'setpriv'], procsPerNode: 1 },
  { target: 'nats', config: 'cp', binaries: ['nats-server'], procsPerNode: 1 },
];

const NODES = nodeNames(3);
const ok = (r: ClientResult) => r.type === 'ok';

for (const tc of CASES) {
  describeWithEnv(`${tc.target} conformance on netns`, ['ip', 'iptables', 'iptables-restore', ...tc.binaries], () => {
    let cluster: Cluster;
    let dispose: () => void;
    const clients: Client[] = [];
    const rt = () => cluster.runtime as NetnsRuntime;

    async function client(node: string): Promise<Client> {
      const c = await cluster.openClient(node, clients.length);
      clients.push(c);
      return c;
    }

    beforeAll(async () => {
      const t = testContext(`conf-${tc.target}`, NODES, tc.config, 'register');
      dispose = t.dispose;
      cluster = await (await loadTarget(tc.target)).create(t.ctx);
      const t0 = Date.now();
      await cluster.runtime.start();
      await cluster.awaitHealthy(120_000);
      console.log(`[conformance ${tc.target} ${NODES.length} nodes netns] healthy ${Date.now() - t0} ms after start`);
    }, 150_000);

    afterAll(async () => {
      for (const c of clients) await c.close();
      await cluster?.runtime.teardown();
      dispose?.();
    });

    it('starts every node and reports a version', async () => {
      for (const n of NODES) expect(rt().pidsOf(n)).toHaveLength(tc.procsPerNode);
      const v = await cluster.versions();
      expect(Object.values(v)[0]).toMatch(/^\d+\.\d+/);
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
      expect(rt().pidsOf(victim)).toEqual([]);
      expect((await cluster.finalRead(victim, 1, 1000)).ok).toBe(false);
      const c = await client(NODES[1]);
      expect(await retry(() => c.invoke({ f: 'write', key: 3, value: 30 }, 3000), ok, 20, 500)).toEqual({ type: 'ok' });
      await cluster.runtime.restart(victim);
      expect(rt().pidsOf(victim)).toHaveLength(tc.procsPerNode);
      const r = await retry(() => cluster.finalRead(victim, 3, 2000), (x) => x.ok && x.value === 30, 120, 250);
      expect(r).toEqual({ ok: true, value: 30 });
      expect(await cluster.finalRead(victim, 1, 2000)).toEqual({ ok: true, value: 11 });
    }, 60_000);

    it('teardown leaves no process or namespace behind', async () => {
      const pids = NODES.flatMap((n) => rt().pidsOf(n));
      for (const c of clients.splice(0)) await c.close();
      await cluster.runtime.teardown();
      const nss = await listNamespaces();
      for (const ns of rt().namespaces) expect(nss).not.toContain(ns);
      for (const pid of pids) expect([null, 'Z']).toContain(procState(pid));
    });
  });
}
