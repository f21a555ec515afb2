import type { NetnsRuntime } from '../../../harness/netns/runtime.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InputError } from '../../../histories/errors.js';
import { listNamespaces } from '../../../harness/netns/shell.js';
import { procState } from '../../../harness/kernel/procs.js';
import type { Client, ClientResult } from '../../../harness/target.js';
import { openSentinelClient, RedisClient, within } from '../../../targets/redis/client.js';
import { RedisCluster, redisTarget } from '../../../targets/redis/index.js';
import { REDIS_PORT } from '../../../targets/redis/launch.js';
import { describeWithEnv } from '../../harness/netns/env.js';
import { isolate, nodeNames, retry, testContext } from '../../harness/netns/cluster-context.js';

const NODES = nodeNames(3);

it('rejects contexts the redis target cannot run', async () => {
  const { ctx, dispose } = testContext('redis-bad', NODES, 'ap', 'register');
  try {
    await expect(redisTarget.create({ ...ctx, config: 'cp' })).rejects.toBeInstanceOf(InputError);
    await expect(redisTarget.create({ ...ctx, nodes: [] })).rejects.toBeInstanceOf(InputError);
  } finally {
    dispose();
  }
});

describeWithEnv('redis target on netns', ['ip', 'iptables', 'iptables-restore', 'redis-server'], () => {
  let cluster: RedisCluster;
  let dispose: () => void;
  const clients: Client[] = [];

  async function client(node: string, workload: 'register' | 'set', mode: 'ap' | 'wait'): Promise<Client> {
    const r = openSentinelClient(cluster.sentinelsFor(node), cluster.runtime.addressMap(REDIS_PORT));
    await within(r.connect(), 5000).catch(() => undefined);
    const c = new RedisClient(r, workload, mode === 'wait' ? { kind: 'wait', replicas: 1 } : { kind: 'async' });
    clients.push(c);
    return c;
  }

  beforeAll(async () => {
    const t = testContext('redis', NODES, 'ap', 'register');
    dispose = t.dispose;
    cluster = (await redisTarget.create(t.ctx)) as RedisCluster;
    const t0 = Date.now();
    await cluster.runtime.start();
    const up = Date.now();
    await cluster.awaitHealthy(60_000);
    console.log(`[redis ${NODES.length} nodes] runtime.start ${up - t0} ms, healthy ${Date.now() - t0} ms after start`);
  }, 90_000);

  afterAll(async () => {
    for (const c of clients) await c.close();
    await cluster?.runtime.teardown();
    dispose?.();
  });

  it('starts n1 as primary with the others replicating, and reports its version', async () => {
    expect(await cluster.roleOf('n1')).toBe('master');
    expect(await cluster.roleOf('n2')).toBe('slave');
    expect(await cluster.primaryAccordingTo('n3')).toBe('n1');
    expect((await cluster.versions()).redis).toMatch(/^\d+\.\d+/);
  });

  it('serves register and set ops through Sentinel', async () => {
    const c = await cluster.openClient('n2', 0);
    clients.push(c);
    expect(await c.invoke({ f: 'read', key: 'a' }, 5000)).toEqual({ type: 'ok', value: null });
    expect(await c.invoke({ f: 'cas', key: 'a', value: [null, 1] }, 5000)).toEqual({ type: 'ok' });
    expect(await c.invoke({ f: 'write', key: 'a', value: 2 }, 5000)).toEqual({ type: 'ok' });
    expect(await c.invoke({ f: 'cas', key: 'a', value: [2, 3] }, 5000)).toEqual({ type: 'ok' });
    expect((await c.invoke({ f: 'cas', key: 'a', value: [2, 4] }, 5000)).type).toBe('fail');
    expect(await c.invoke({ f: 'read', key: 'a' }, 5000)).toEqual({ type: 'ok', value: 3 });
    const s = await client('n3', 'set', 'ap');
    for (const v of [1, 2]) expect(await s.invoke({ f: 'add', key: 's', value: v }, 5000)).toEqual({ type: 'ok' });
    const r = await s.invoke({ f: 'read', key: 's' }, 5000);
    expect((r.value as number[]).sort()).toEqual([1, 2]);
    // Replication reaches every node (bounded wait); final reads go to each node directly.
    const onN3 = await retry(() => cluster.finalRead('n3', 'a', 2000), (x) => x.value === 3, 50, 100);
    expect(onN3).toEqual({ ok: true, value: 3 });
  });

  it('wait: a confirmed write is ok; a write the replicas cannot acknowledge is info, never ok', async () => {
    const w = await client('n1', 'register', 'wait');
    expect(await w.invoke({ f: 'write', key: 'w', value: 1 }, 5000)).toEqual({ type: 'ok' });
    await cluster.runtime.partition(isolate('n1', NODES));
    try {
      // Sentinel needs seconds to notice, so this write still reaches the old primary, whose replicas are cut off.
      const r = await w.invoke({ f: 'write', key: 'w', value: 2 }, 1000);
      expect(r.type).not.toBe('ok');
      // Sentinels on the majority side elect a new primary (bounded wait).
      const primary = await retry(() => cluster.primaryAccordingTo('n2').catch(() => null), (p) => p !== null && p !== 'n1', 60, 500);
      expect(['n2', 'n3']).toContain(primary);
      // The Sentinel-following client lands on the new primary.
      const ap = await client('n2', 'register', 'ap');
      const ok: ClientResult = await retry(() => ap.invoke({ f: 'write', key: 'f', value: 'after' }, 2000), (x) => x.type === 'ok', 30, 500);
      expect(ok.type).toBe('ok');
      expect(await cluster.finalRead(primary!, 'f', 2000)).toEqual({ ok: true, value: 'after' });
      // The isolated old primary never saw it.
      expect((await cluster.finalRead('n1', 'f', 2000)).value).toBeNull();
    } finally {
      await cluster.runtime.heal();
    }
    // After the heal, Sentinel turns the old primary into a replica and it converges.
    const role = await retry(() => cluster.roleOf('n1').catch(() => 'unreachable'), (r) => r === 'slave', 120, 500);
    expect(role).toBe('slave');
    const converged = await retry(() => cluster.finalRead('n1', 'f', 2000), (x) => x.value === 'after', 60, 500);
    expect(converged.value).toBe('after');
  }, 120_000);

  it('a killed replica restarts from its own config and catches up', async () => {
    const primary = await cluster.primaryAccordingTo('n2');
    const replica = NODES.find((n) => n !== primary && n !== 'n1') ?? NODES.find((n) => n !== primary)!;
    const c = await client('n2', 'register', 'ap');
    await cluster.runtime.kill(replica);
    expect((cluster.runtime as NetnsRuntime).pidsOf(replica)).toEqual([]);
    expect((await cluster.finalRead(replica, 'k', 1000)).ok).toBe(false);
    expect(await retry(() => c.invoke({ f: 'write', key: 'k', value: 'while-down' }, 2000), (x) => x.type === 'ok', 20, 500)).toEqual({ type: 'ok' });
    await cluster.runtime.restart(replica);
    expect((cluster.runtime as NetnsRuntime).pidsOf(replica)).toHaveLength(2);
    const r = await retry(() => cluster.finalRead(replica, 'k', 2000), (x) => x.value === 'while-down', 60, 500);
    expect(r.value).toBe('while-down');
    expect(await cluster.roleOf(replica)).toBe('slave');
  }, 60_000);

  it('client latency applies to Sentinel-routed connections (natMap to the proxies)', async () => {
    const c = await client('n2', 'register', 'ap');
    expect((await c.invoke({ f: 'read', key: 'k' }, 5000)).type).toBe('ok');
    await cluster.runtime.setClientLatency({ latencyMs: 200 });
    try {
      const t0 = Date.now();
      expect((await c.invoke({ f: 'read', key: 'k' }, 10_000)).type).toBe('ok');
      // Lower bound only: request and reply each wait at least the latency.
      expect(Date.now() - t0).toBeGreaterThanOrEqual(380);
    } finally {
      await cluster.runtime.setClientLatency(null);
    }
  });

  it('clock faults are unsupported for redis (libfaketime clashes with its jemalloc)', async () => {
    await expect(cluster.runtime.clockSkew('n3', 1000)).rejects.toThrow(/clock faults are not supported/);
  });

  it('teardown leaves no namespace or process behind', async () => {
    const pids = NODES.flatMap((n) => (cluster.runtime as NetnsRuntime).pidsOf(n));
    expect(pids).toHaveLength(2 * NODES.length);
    for (const c of clients.splice(0)) await c.close();
    const t0 = Date.now();
    await cluster.runtime.teardown();
    console.log(`[redis ${NODES.length} nodes] teardown ${Date.now() - t0} ms`);
    const nss = await listNamespaces();
    for (const ns of (cluster.runtime as NetnsRuntime).namespaces) expect(nss).not.toContain(ns);
    for (const pid of pids) expect([null, 'Z']).toContain(procState(pid));
  });
});
