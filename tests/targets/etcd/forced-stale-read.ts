/**
 * A stale read from etcd's `ap` config made certain by the setup rather than hoped for from timing: write 1,
 * wait until n1 serves 1, cut n1 off from the others, write 2 through the majority until it is acknowledged,
 * then read on n1. A serializable read is answered from the member's own state, and a member cut off since
 * before the write cannot have it, so the read returns 1 however loaded the machine is. The ops, with their
 * real times, are then a history the register checker must call stale. Used on runtimes where a whole
 * compare run under load may or may not happen to produce one.
 */
import pino from 'pino';
import { expect } from 'vitest';
import { checkRegisterAnomalies } from '../../../checkers/register-anomalies.js';
import type { Client, ClientResult, RuntimeKind } from '../../../harness/target.js';
import { EtcdCluster, etcdTarget } from '../../../targets/etcd/index.js';
import { HistoryBuilder } from '../../checkers/history-builder.js';
import { isolate, retry, testContext } from '../../harness/netns/cluster-context.js';

export async function forcedStaleRead(runtime: RuntimeKind): Promise<void> {
  const nodes = ['n1', 'n2', 'n3'];
  const [lonely, other] = nodes;
  const t = testContext(`etcd-stale-${runtime}`, nodes, 'ap', 'register');
  const cluster = (await etcdTarget.create({ ...t.ctx, runtime, logger: pino({ level: 'silent' }) })) as EtcdCluster;
  const clients: Client[] = [];
  const h = new HistoryBuilder();
  const t0 = performance.now();
  const now = () => (performance.now() - t0) / 1000;
  /** Invoke through a client and record the op with its real span. */
  const record = async (c: Client, p: number, node: string, f: 'read' | 'write', value: unknown): Promise<ClientResult> => {
    const start = now();
    const r = await c.invoke({ f, key: 'x', value }, 3000);
    const outcome = r.type === 'ok' ? 'ok' : r.type === 'fail' ? 'fail' : 'info';
    if (f === 'read') h.op(p, 'read', 'x', null, [start, now()], { node, outcome, result: r.value });
    else h.write(p, 'x', value, [start, now()], { node, outcome });
    return r;
  };
  try {
    await cluster.runtime.start();
    await cluster.awaitHealthy(60_000);
    const writer = await cluster.openClient(other, 0);
    const reader = await cluster.openClient(lonely, 1);
    clients.push(writer, reader);
    expect((await record(writer, 0, other, 'write', 1)).type).toBe('ok');
    // n1 applies 1 before the cut, so what it serves after the cut is a known value.
    const seen = await retry(() => record(reader, 1, lonely, 'read', null), (r) => r.value === 1, 50, 100);
    expect(seen.value).toBe(1);

    await cluster.runtime.partition(isolate(lonely, nodes));
    try {
      // The majority may have to elect a leader first: bounded retries, each writing a new value, so values
      // stay unique whether or not a timed-out attempt took effect.
      let next = 2;
      const w = await retry(() => record(writer, 0, other, 'write', next++), (r) => r.type === 'ok', 20, 500);
      expect(w.type).toBe('ok');
      const stale = await record(reader, 1, lonely, 'read', null);
      expect(stale).toEqual({ type: 'ok', value: 1 });
    } finally {
      await cluster.runtime.heal();
    }
  } finally {
    for (const c of clients) await c.close();
    await cluster.runtime.teardown();
    t.dispose();
  }
  const r = checkRegisterAnomalies(h.build());
  expect((r.stats as { staleReads: number }).staleReads).toBe(1);
  expect(r.anomalies.some((a) => a.kind === 'stale-read')).toBe(true);
}
