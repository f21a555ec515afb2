import type { NetnsRuntime } from '../../../harness/netns/runtime.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { listNamespaces } from '../../../harness/netns/shell.js';
import { procState } from '../../../harness/kernel/procs.js';
import type { Client, ClientResult } from '../../../harness/target.js';
import { EtcdClient, openEtcd } from '../../../targets/etcd/client.js';
import { EtcdCluster, etcdTarget } from '../../../targets/etcd/index.js';
import { CLIENT_PORT } from '../../../targets/etcd/launch.js';
import { InputError } from '../../../histories/errors.js';
import { describeWithEnv } from '../../harness/netns/env.js';
import { isolate, nodeNames, retry, testContext } from '../../harness/netns/cluster-context.js';

// FL_ETCD_NODES=5 measures a five-node cluster with the same checks.
const NODES = nodeNames(Number(process.env.FL_ETCD_NODES ?? 3));

it('rejects contexts the etcd target cannot run', async () => {
  const { ctx, dispose } = testContext('etcd-bad', NODES, 'cp', 'register');
  try {
    await expect(etcdTarget.create({ ...ctx, config: 'nope' })).rejects.toBeInstanceOf(InputError);
    await expect(etcdTarget.create({ ...ctx, runtime: 'sim' })).rejects.toThrow(/runtime/);
    await expect(etcdTarget.create({ ...ctx, workload: 'lin-kv' })).rejects.toBeInstanceOf(InputError);
  } finally {
    dispose();
  }
});

describeWithEnv('etcd target on netns', ['ip', 'iptables', 'iptables-restore', 'etcd'], () => {
  let cluster: EtcdCluster;
  let dispose: () => void;
  const clients: Client[] = [];

  async function client(node: string, workload: 'register' | 'set', mode: 'linearizable' | 'serializable'): Promise<Client> {
    const a = cluster.runtime.nodeAddress(node, CLIENT_PORT);
    const c = new EtcdClient(openEtcd(a.host, a.port!), workload, mode);
    clients.push(c);
    return c;
  }

  beforeAll(async () => {
    const t = testContext('etcd', NODES, 'cp', 'register');
    dispose = t.dispose;
    cluster = (await etcdTarget.create(t.ctx)) as EtcdCluster;
    const t0 = Date.now();
    await cluster.runtime.start();
    const up = Date.now();
    await cluster.awaitHealthy(60_000);
    console.log(`[etcd ${NODES.length} nodes] runtime.start ${up - t0} ms, healthy ${Date.now() - t0} ms after start`);
  }, 90_000);

  afterAll(async () => {
    for (const c of clients) await c.close();
    await cluster?.runtime.teardown();
    dispose?.();
  });

  it('reports its version', async () => {
    expect((await cluster.versions()).etcd).toMatch(/^3\.4\./);
  });

  it('serves read, write and cas through a client bound to one node', async () => {
    const c = await cluster.openClient('n2', 0);
    clients.push(c);
    expect(await c.invoke({ f: 'read', key: 'a' }, 5000)).toEqual({ type: 'ok', value: null });
    expect(await c.invoke({ f: 'cas', key: 'a', value: [null, 1] }, 5000)).toEqual({ type: 'ok' });
    expect(await c.invoke({ f: 'write', key: 'a', value: 2 }, 5000)).toEqual({ type: 'ok' });
    expect(await c.invoke({ f: 'cas', key: 'a', value: [2, 3] }, 5000)).toEqual({ type: 'ok' });
    expect((await c.invoke({ f: 'cas', key: 'a', value: [2, 4] }, 5000)).type).toBe('fail');
    expect(await c.invoke({ f: 'read', key: 'a' }, 5000)).toEqual({ type: 'ok', value: 3 });
    expect((await c.invoke({ f: 'frobnicate', key: 'a' }, 5000)).type).toBe('fail');
    const final = await cluster.finalRead('n3', 'a', 5000);
    expect(final.ok).toBe(true);
    // A serializable read may lag the leader by a moment; it converges (bounded wait).
    const converged = await retry(() => cluster.finalRead('n3', 'a', 5000), (r) => r.value === 3, 50, 100);
    expect(converged.value).toBe(3);
  });

  it('serves the set workload', async () => {
    const c = await client('n1', 'set', 'linearizable');
    for (const v of [1, 2, 3]) expect(await c.invoke({ f: 'add', key: 's', value: v }, 5000)).toEqual({ type: 'ok' });
    const r = await c.invoke({ f: 'read', key: 's' }, 5000);
    expect(r.type).toBe('ok');
    expect((r.value as number[]).sort()).toEqual([1, 2, 3]);
  });

  it('cp reads fail on a minority node while ap reads there are stale; writes succeed on the majority', async () => {
    const [lonely, other] = [NODES[0], NODES[1]];
    const writer = await client(other, 'register', 'linearizable');
    expect((await writer.invoke({ f: 'write', key: 'p', value: 'before' }, 5000)).type).toBe('ok');
    const cpReader = await client(lonely, 'register', 'linearizable');
    const apReader = await client(lonely, 'register', 'serializable');
    // Let the lonely member apply 'before' first, so its stale answer is a known value.
    await retry(() => apReader.invoke({ f: 'read', key: 'p' }, 3000), (r) => r.value === 'before', 50, 100);

    await cluster.runtime.partition(isolate(lonely, NODES));
    try {
      // The majority elects a leader (if it lost it) and accepts the write: bounded retries.
      const w: ClientResult = await retry(() => writer.invoke({ f: 'write', key: 'p', value: 'after' }, 3000), (r) => r.type === 'ok', 20, 500);
      expect(w.type).toBe('ok');
      const cp = await cpReader.invoke({ f: 'read', key: 'p' }, 3000);
      expect(cp.type).toBe('fail');
      const ap = await apReader.invoke({ f: 'read', key: 'p' }, 3000);
      expect(ap).toEqual({ type: 'ok', value: 'before' });
      // A write on the minority can't commit; its outcome is unknown, never ok.
      const minorityWrite = await (await client(lonely, 'register', 'linearizable')).invoke({ f: 'write', key: 'q', value: 1 }, 2000);
      expect(minorityWrite.type).not.toBe('ok');
    } finally {
      await cluster.runtime.heal();
    }
    const healed = await retry(() => cluster.finalRead(lonely, 'p', 3000), (r) => r.value === 'after', 100, 200);
    expect(healed.value).toBe('after');
  });

  it('a killed member comes back with its data after restart', async () => {
    const node = NODES[NODES.length - 1];
    const [pid] = (cluster.runtime as NetnsRuntime).pidsOf(node);
    await cluster.runtime.kill(node);
    expect([null, 'Z']).toContain(procState(pid));
    expect((await cluster.finalRead(node, 'a', 1000)).ok).toBe(false);
    await cluster.runtime.restart(node);
    await cluster.awaitHealthy(60_000);
    const r = await retry(() => cluster.finalRead(node, 'a', 3000), (x) => x.value === 3, 50, 200);
    expect(r.value).toBe(3);
  });

  it('clock faults are unsupported for etcd', async () => {
    await expect(cluster.runtime.clockSkew(NODES[0], 1000)).rejects.toThrow(/clock faults are not supported/);
  });

  it('teardown leaves no namespace or process behind', async () => {
    const pids = NODES.flatMap((n) => (cluster.runtime as NetnsRuntime).pidsOf(n));
    for (const c of clients.splice(0)) await c.close();
    const t0 = Date.now();
    await cluster.runtime.teardown();
    console.log(`[etcd ${NODES.length} nodes] teardown ${Date.now() - t0} ms`);
    const nss = await listNamespaces();
    for (const ns of (cluster.runtime as NetnsRuntime).namespaces) expect(nss).not.toContain(ns);
    for (const pid of pids) expect([null, 'Z']).toContain(procState(pid));
  });
});
