// Maelstrom's services (harness/sim/services.ts): message formats and error codes, each service against its
// promise, reproducibility from the seed, and how faults reach them through the router.
import { afterEach, describe, expect, it } from 'vitest';
import { makeServices, type Service, type ServiceName } from '../../../harness/sim/services.js';
import { checkSequential, type SeqOp } from '../../../checkers/sequential.js';
import { rngFor } from '../../../harness/rng.js';
import { isAlive, Scope, sleep } from './helpers.js';

const scope = new Scope();
afterEach(async () => {
  const pids = await scope.cleanup();
  expect(pids.filter(isAlive)).toEqual([]);
});

const svc = (name: ServiceName, seed = 's'): Service => makeServices(seed).get(name)!;

/** A seeded script of kv requests from `clients` clients, run one at a time; each client's ops in its order. */
function drive(s: Service, seed: string, clients = 3, steps = 60): { perClient: SeqOp[][]; inOrder: SeqOp[]; replies: unknown[] } {
  const rng = rngFor(seed, 'script');
  const perClient: SeqOp[][] = Array.from({ length: clients }, () => []);
  const replies: unknown[] = [];
  const order: number[] = [];
  for (let i = 0; i < steps; i++) {
    const c = rng.int(0, clients - 1);
    order.push(c);
    const key = rng.pick(['x', 'y']);
    const roll = rng.next();
    const src = `n${c + 1}`;
    if (roll < 0.5) {
      const r = s.handle(src, { type: 'read', key });
      replies.push(r);
      perClient[c].push({ f: 'read', key, value: r.type === 'read_ok' ? r.value : null, ok: true });
    } else if (roll < 0.8) {
      const value = i + 1;
      replies.push(s.handle(src, { type: 'write', key, value }));
      perClient[c].push({ f: 'write', key, value, ok: true });
    } else {
      const from = rng.int(1, i + 1);
      const r = s.handle(src, { type: 'cas', key, from, to: i + 1 });
      replies.push(r);
      perClient[c].push({ f: 'cas', key, value: [from, i + 1], ok: r.type === 'cas_ok' });
    }
  }
  const inOrder: SeqOp[] = [];
  const next = perClient.map(() => 0);
  for (const c of order) inOrder.push(perClient[c][next[c]++]);
  return { perClient, inOrder, replies };
}

describe('services: formats and error codes (doc/services.md)', () => {
  for (const name of ['lin-kv', 'seq-kv', 'lww-kv'] as const) {
    it(`${name}: read, write, cas, create_if_not_exists, and Maelstrom's codes`, () => {
      const s = svc(name);
      // lww-kv answers from a random replica, and seq-kv reads may be stale: one client, one key keeps both honest here.
      expect(s.handle('n1', { type: 'read', key: 'k' })).toMatchObject({ type: 'error', code: 20 });
      expect(s.handle('n1', { type: 'cas', key: 'k', from: 1, to: 2 })).toMatchObject({ type: 'error', code: 20 });
      expect(s.handle('n1', { type: 'foo', key: 'k' })).toMatchObject({ type: 'error', code: 10 });
      expect(s.handle('n1', { type: 'read' })).toMatchObject({ type: 'error', code: 12 });
      if (name === 'lww-kv') return;
      expect(s.handle('n1', { type: 'cas', key: 'k', from: 1, to: 2, create_if_not_exists: true })).toEqual({ type: 'cas_ok' });
      expect(s.handle('n1', { type: 'read', key: 'k' })).toEqual({ type: 'read_ok', value: 2 });
      expect(s.handle('n1', { type: 'cas', key: 'k', from: 1, to: 3 })).toMatchObject({ type: 'error', code: 22 });
      expect(s.handle('n1', { type: 'write', key: 'k', value: { a: [1] } })).toEqual({ type: 'write_ok' });
      // Values compare as JSON, whatever the key order.
      expect(s.handle('n1', { type: 'cas', key: 'k', from: { a: [1] }, to: 'z' })).toEqual({ type: 'cas_ok' });
      expect(s.handle('n1', { type: 'read', key: 'k' })).toEqual({ type: 'read_ok', value: 'z' });
    });
  }

  it('lin-tso: ts_ok with 0, 1, 2, ...; other requests are not supported', () => {
    const s = svc('lin-tso');
    expect([0, 1, 2].map(() => s.handle('n1', { type: 'ts' }))).toEqual([0, 1, 2].map((ts) => ({ type: 'ts_ok', ts })));
    expect(s.handle('n1', { type: 'read', key: 1 })).toMatchObject({ type: 'error', code: 10 });
  });
});

describe('services against their promises', () => {
  it('lin-kv: the order the requests ran in explains every answer (ops one at a time: linearizable)', () => {
    for (const seed of ['a', 'b', 'c']) expect(checkSequential([drive(svc('lin-kv'), seed).inOrder]).valid).toBe(true);
  });

  it('seq-kv: sequentially consistent, really relaxed, and the same for the same seed', () => {
    let stale = 0;
    let notLinearizable = 0;
    for (const seed of ['1', '2', '3', '4']) {
      const s = svc('seq-kv', `svc-${seed}`);
      const run = drive(s, seed);
      expect(checkSequential(run.perClient).valid).toBe(true);
      if (checkSequential([run.inOrder]).valid === false) notLinearizable++;
      // Run in real time one after another, so any order but this one is a stale answer: count them.
      const real = drive(svc('lin-kv'), seed);
      stale += run.replies.filter((r, i) => JSON.stringify(r) !== JSON.stringify(real.replies[i])).length;
      expect(drive(svc('seq-kv', `svc-${seed}`), seed).replies).toEqual(run.replies);
    }
    expect(stale).toBeGreaterThan(10);
    expect(notLinearizable).toBeGreaterThan(0);
    expect(drive(svc('seq-kv', 'other'), '1').replies).not.toEqual(drive(svc('seq-kv', 'svc-1'), '1').replies);
  });

  it('lww-kv: not even sequentially consistent (a client can see time go back)', () => {
    const verdicts = ['1', '2', '3', '4', '5', '6'].map((seed) => checkSequential(drive(svc('lww-kv', seed), seed).perClient).valid);
    expect(verdicts).toContain(false);
  });
});

describe('how faults reach services (router)', () => {
  it('a partition cuts nodes from each other but never from the services', async () => {
    const rt = scope.fixture('kv-proxy.mjs', 3);
    await rt.start();
    await rt.partition({ n1: ['n2', 'n3'], n2: ['n1', 'n3'], n3: ['n1', 'n2'] });
    expect(await rt.request('n1', { type: 'write', key: 'k', value: 7 }, 5000)).toMatchObject({ type: 'write_ok' });
    expect(await rt.request('n2', { type: 'read', key: 'k' }, 5000)).toMatchObject({ type: 'read_ok', value: 7 });
    const net = rt.stats().net;
    expect(net['server-service']).toBe(2);
    expect(net['service-server']).toBe(2);
  });

  it('latency delays service links both ways; a killed node never gets its reply, but the write stands', async () => {
    const rt = scope.fixture('kv-proxy.mjs', 2);
    await rt.start();
    await rt.setLinkFaults({ latencyMs: 150 });
    const t0 = performance.now();
    await rt.request('n2', { type: 'read', key: 'k' }, 5000);
    // client→node, node→service, service→node, node→client: four links of at least 150 ms each.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(580); // timers may fire a ms early
    const pending = rt.request('n1', { type: 'write', key: 'k', value: 9 }, 2000).catch((e: Error) => e.name);
    await sleep(250); // the write is on its way to lin-kv
    const droppedBefore = rt.stats().droppedDead;
    await rt.kill('n1');
    expect(await pending).toBe('TimeoutError');
    expect(rt.stats().droppedDead).toBeGreaterThan(droppedBefore);
    await rt.setLinkFaults(null);
    expect(await rt.request('n2', { type: 'read', key: 'k' }, 5000)).toMatchObject({ type: 'read_ok', value: 9 });
  });
});
