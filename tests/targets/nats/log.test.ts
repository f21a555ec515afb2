/**
 * The kafka workload on NATS JetStream (targets/nats/log.ts): reading a log by sequence (with a fake store,
 * so the stopping rules are exact), a final read checked against the node's own store state, then a real
 * 3-node cluster, on netns and on docker, where sends get their stream sequences as offsets, polls return
 * them in order and commit, an assign starts after the committed offset, every node's final read holds the
 * whole log, and the kafka and log-replicas checkers find the recorded history valid; then the file fault
 * truncates a stopped node's newest block (a log's) and the node starts again, and what its replica then
 * holds is judged by the log-replicas checker.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StoredMsg } from 'nats';
import type { Op } from '../../../histories/op.js';
import { checkKafka } from '../../../checkers/kafka/index.js';
import { loadTarget } from '../../../targets/index.js';
import { NatsLogClient, readLog, replicaMismatch } from '../../../targets/nats/log.js';
import type { JetStreamClient, JetStreamManager, KV, NatsConnection } from 'nats';
import { checkLogReplicas } from '../../../checkers/kafka/replicas.js';
import type { RuntimeKind } from '../../../harness/target.js';
import { checkDocker, describeWithDocker } from '../../harness/docker/env.js';
import { blockFiles } from '../../../targets/nats/launch.js';
import { join } from 'node:path';
import type { KernelRuntime } from '../../../harness/kernel/runtime.js';
import type { Client, ClientOp, Cluster } from '../../../harness/target.js';
import { describeWithEnv } from '../../harness/netns/env.js';
import { nodeNames, retry, testContext } from '../../harness/netns/cluster-context.js';

function fakeStore(msgs: unknown[], fail?: number) {
  const asked: number[] = [];
  const get = async (_stream: string, q: { seq: number }): Promise<StoredMsg> => {
    asked.push(q.seq);
    if (q.seq === fail) throw new Error('timeout');
    const m = msgs[q.seq - 1];
    if (m === undefined) throw Object.assign(new Error('no message found'), { code: '404' });
    return { seq: q.seq, data: new TextEncoder().encode(JSON.stringify(m)) } as unknown as StoredMsg;
  };
  return { get, asked };
}

it('reads a log by sequence up to the first empty one, within max, a batch at a time', async () => {
  const s = fakeStore([10, 20, 30, 40, 50]);
  expect(await readLog(s.get, 0, 2, 100, 2)).toEqual([[2, 20], [3, 30], [4, 40], [5, 50]]);
  // Batches of 2 from 2: {2,3}, {4,5}, {6,7}: the empty 6 ends it.
  expect(s.asked.sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7]);
  expect(await readLog(fakeStore([10, 20, 30]).get, 0, 1, 2, 16)).toEqual([[1, 10], [2, 20]]);
  expect(await readLog(fakeStore([]).get, 0, 1, 10, 4)).toEqual([]);
  // An error other than "no message" is not an empty log: it fails the read.
  await expect(readLog(fakeStore([1, 2, 3], 2).get, 0, 1, 10, 4)).rejects.toThrow(/timeout/);
});

it('a poll that times out (here in its commit) leaves the position where it was; the next poll starts there', async () => {
  const store = fakeStore([10, 20, 30, 40]);
  let hang = true;
  const kv = {
    get: async () => null,
    put: () => (hang ? new Promise(() => undefined) : Promise.resolve(0)),
  } as unknown as KV;
  const nc = { isClosed: () => false, close: async () => undefined } as unknown as NatsConnection;
  const jsm = { streams: { getMessage: store.get } } as unknown as JetStreamManager;
  const c = new NatsLogClient(nc, {} as JetStreamClient, jsm, kv, 'leader', 1);
  expect(await c.invoke({ f: 'poll' }, 100)).toMatchObject({ type: 'fail', error: expect.stringMatching(/did not finish/) });
  hang = false;
  // Not from 5: the abandoned poll read 1-4, but no recorded poll returned them.
  expect(await c.invoke({ f: 'poll' }, 1000)).toEqual({ type: 'ok', value: { '0': [[1, 10], [2, 20], [3, 30], [4, 40]] } });
  expect(await c.invoke({ f: 'poll' }, 1000)).toEqual({ type: 'ok', value: {} });
});

it("accepts a final read only when it matches the node's own store", () => {
  const pairs: [number, unknown][] = [[1, 'a'], [2, 'b'], [3, 'c']];
  expect(replicaMismatch(pairs, { messages: 3, firstSeq: 1, lastSeq: 3 }, 'n1', 0)).toBeNull();
  expect(replicaMismatch([], { messages: 0, firstSeq: 0, lastSeq: 0 }, 'n1', 0)).toBeNull();
  expect(replicaMismatch(pairs, { messages: 2, firstSeq: 1, lastSeq: 2 }, 'n3', 0)).toBe(
    "the direct get on n3 was not answered by n3's own replica of LOG_0: its store holds sequences 1–2 (2 messages), the answer held 1–3 (3 messages)",
  );
  expect(replicaMismatch(pairs, undefined, 'n2', 4)).toBe('n2 holds no replica of LOG_4');
});

const dockerEnv = await checkDocker();

function describeOn(runtime: RuntimeKind, body: () => void): void {
  const name = `nats kafka workload and file fault (3 nodes, ${runtime})`;
  if (runtime === 'docker') describeWithDocker(name, dockerEnv, body);
  else describeWithEnv(name, ['ip', 'iptables', 'iptables-restore', 'nats-server'], body);
}

for (const runtime of ['netns', 'docker'] as const) describeOn(runtime, () => {
  const NODES = nodeNames(3);
  let cluster: Cluster;
  let dispose: () => void;
  let dataDir: string;
  const clients: Client[] = [];
  const ops: Op[] = [];
  let t = 0;

  /** Invoke and record, in the history shape the kafka checker reads. */
  async function run(c: Client, process: number, op: ClientOp): Promise<unknown> {
    ops.push({ index: ops.length, type: 'invoke', process, time: t++, ...op } as Op);
    const r = await c.invoke(op, 5000);
    ops.push({ index: ops.length, type: r.type, process, time: t++, ...op, ...(r.type === 'ok' ? { value: r.value } : { error: r.error }) } as Op);
    expect(r.type, JSON.stringify(r)).toBe('ok');
    return r.type === 'ok' ? r.value : undefined;
  }

  beforeAll(async () => {
    const tc = testContext('nats-log', NODES, 'cp', 'kafka');
    dispose = tc.dispose;
    dataDir = tc.ctx.dataDir;
    cluster = await (await loadTarget('nats')).create({ ...tc.ctx, keys: 2, runtime });
    await cluster.runtime.start();
    await cluster.awaitHealthy(90_000);
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) await c.close();
    await cluster?.runtime.teardown();
    dispose?.();
  });

  it('sends get sequences as offsets; polls, commits, assign and final reads agree', async () => {
    const a = await cluster.openClient(NODES[1], 0);
    const b = await cluster.openClient(NODES[2], 1);
    clients.push(a, b);
    // The first send may meet a stream leader still settling: retry until one is acknowledged.
    const first = await retry(() => a.invoke({ f: 'send', key: 0, value: 1 }, 5000), (r) => r.type === 'ok', 20, 300);
    ops.push({ index: ops.length, type: 'invoke', process: 0, time: t++, f: 'send', key: 0, value: 1 } as Op, { index: ops.length + 1, type: 'ok', process: 0, time: t++, f: 'send', key: 0, value: first.value } as Op);
    expect(first).toEqual({ type: 'ok', value: 1 });
    expect(await run(a, 0, { f: 'send', key: 0, value: 3 })).toBe(2);
    expect(await run(a, 0, { f: 'send', key: 1, value: 5 })).toBe(1);
    expect(await run(a, 0, { f: 'poll' })).toEqual({ '0': [[1, 1], [2, 3]], '1': [[1, 5]] });
    expect(await run(a, 0, { f: 'poll' })).toEqual({});
    // Another consumer of the group starts after what was committed.
    expect(await run(b, 1, { f: 'assign', value: [0] })).toEqual({ '0': 3 });
    expect(await run(b, 1, { f: 'poll' })).toEqual({});
    expect(await run(b, 1, { f: 'send', key: 0, value: 7 })).toBe(3);
    expect(await run(b, 1, { f: 'poll' })).toEqual({ '0': [[3, 7]] });
    for (const n of NODES) {
      for (const [key, want] of [[0, [[1, 1], [2, 3], [3, 7]]], [1, [[1, 5]]]] as const) {
        const r = await retry(() => cluster.finalRead(n, key, 2000), (x) => x.ok && JSON.stringify(x.value) === JSON.stringify(want), 40, 250);
        expect(r, `${n} key ${key}`).toEqual({ ok: true, value: want });
        ops.push({ index: ops.length, type: 'invoke', process: 100, time: t++, f: 'final-read', key, node: n } as Op, { index: ops.length + 1, type: 'ok', process: 100, time: t++, f: 'final-read', key, node: n, value: r.value } as Op);
      }
    }
    const verdict = checkKafka(ops);
    expect(verdict.anomalies).toEqual([]);
    expect(verdict.valid).toBe(true);
    expect(checkLogReplicas(ops)).toMatchObject({ valid: true, stats: { logs: 2 } });
  }, 60_000);

  it("the file fault empties a stopped node's newest block file (a log's); the node starts again, and its replica is judged", async () => {
    const rt = cluster.runtime as KernelRuntime;
    const victim = NODES[2];
    const blocks = blockFiles(join(dataDir, victim));
    expect(blocks.some((f) => /streams\/LOG_0\/msgs\/\d+\.blk$/.test(f)), blocks.join(', ')).toBe(true);
    // A send to log 0 last, on every replica, so its block is the newest file the fault finds.
    const a = clients[0];
    expect(await a.invoke({ f: 'send', key: 0, value: 9 }, 5000)).toEqual({ type: 'ok', value: 4 });
    const want = [[1, 1], [2, 3], [3, 7], [4, 9]];
    await retry(() => cluster.finalRead(victim, 0, 2000), (x) => x.ok && JSON.stringify(x.value) === JSON.stringify(want), 40, 250);
    await expect(rt.damageFile!(victim, { mode: 'truncate', at: 0 })).rejects.toThrow(/only while it is down/);
    await rt.kill(victim);
    const did = await rt.damageFile!(victim, { mode: 'truncate', at: 0 });
    expect(did).toMatchObject({ mode: 'truncate', kept: 0 });
    expect(String(did.file)).toMatch(/streams\/LOG_0\/msgs\/\d+\.blk$/);
    await rt.restart(victim);
    expect(rt.isRunning(victim)).toBe(true);
    // Final reads in rounds, as the harness makes them, until the nodes agree or about 15 s pass.
    const reads: Op[] = [];
    for (let round = 0; round < 30; round++) {
      const got = await Promise.all(NODES.map((n) => cluster.finalRead(n, 0, 2000)));
      got.forEach((r, i) => reads.push({ index: reads.length, type: 'invoke', process: 100 + i, f: 'final-read', key: 0, node: NODES[i], round } as Op, { index: reads.length + 1, type: r.ok ? 'ok' : 'fail', process: 100 + i, f: 'final-read', key: 0, node: NODES[i], round, ...(r.ok ? { value: r.value } : { error: r.error }) } as Op));
      if (got.every((r) => r.ok) && new Set(got.map((r) => JSON.stringify(r.value))).size === 1) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    // nats-server 2.9.10 repairs a replica whose newest block was emptied (as it does one half kept, or
    // corrupted, tried by hand): the node catches up from the others, and every copy agrees.
    const verdict = checkLogReplicas(reads);
    expect(verdict.anomalies).toEqual([]);
    expect(verdict).toMatchObject({ valid: true, stats: { logs: 1, uncompared: 0 } });
  }, 90_000);
});

