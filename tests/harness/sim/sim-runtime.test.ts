import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { InputError } from '../../../histories/errors.js';
import { UnsupportedFault } from '../../../harness/runtime.js';
import { NodeStartError, SimRuntime, TimeoutError } from '../../../harness/sim/sim-runtime.js';
import { ask, FIXTURES, isAlive, ROOT, Scope, sleep } from './helpers.js';

const scope = new Scope();
afterEach(async () => {
  const pids = await scope.cleanup();
  expect(pids.filter(isAlive)).toEqual([]);
});

async function flood(rt: SimRuntime, from: string, to: string, count: number): Promise<number> {
  const r = await rt.request(from, { type: 'flood', peer: to, count }, 30_000);
  expect(r.type).toBe('flood_ok');
  // Wait until the receiver's count stops changing: every copy has landed or been dropped.
  let last = -1;
  for (let i = 0; i < 100; i++) {
    const c = (await rt.request(to, { type: 'count' }, 10_000)).received as number;
    if (c === last) return c;
    last = c;
    await sleep(200);
  }
  throw new Error('receiver count never settled');
}

describe('sim runtime with an unmodified Maelstrom node', () => {
  it('runs the lin-kv fixture: init, replies, error bodies returned rather than thrown', async () => {
    const rt = scope.fixture('lin-kv.mjs', 1, { nodes: ['n1'] });
    await rt.start();
    expect(await rt.request('n1', { type: 'read', key: 'k' }, 5000)).toMatchObject({ type: 'error', code: 20 });
    expect(await rt.request('n1', { type: 'write', key: 'k', value: 3 }, 5000)).toMatchObject({ type: 'write_ok' });
    expect(await rt.request('n1', { type: 'cas', key: 'k', from: 4, to: 5 }, 5000)).toMatchObject({ type: 'error', code: 22 });
    expect(await rt.request('n1', { type: 'cas', key: 'k', from: 3, to: 5 }, 5000)).toMatchObject({ type: 'cas_ok' });
    const r = await rt.request('n1', { type: 'read', key: 'k' }, 5000);
    expect(r).toMatchObject({ type: 'read_ok', value: 5 });
    expect(typeof r.in_reply_to).toBe('number');
    // The node's stderr went to its log file, not to the router.
    await rt.teardown();
    const log = readFileSync(join((rt as unknown as { opts: { logDir: string } }).opts.logDir, 'n1.log'), 'utf8');
    expect(log).toContain('fixture n1 initialised');
  });

  it('routes node-to-node messages and counts them', async () => {
    const rt = scope.fixture('lin-kv.mjs', 2);
    await rt.start();
    const r = await rt.request('n1', { type: 'echo_peer', peer: 'n2' }, 5000);
    expect(r).toMatchObject({ type: 'echo_peer_ok', via: 'n2' });
    expect(rt.stats()).toMatchObject({ sent: 2, delivered: 2, dropped: 0 });
  });

  it('times out on a paused node, answers after resume; a killed node never answers until restarted', async () => {
    const rt = scope.fixture('lin-kv.mjs', 1, { nodes: ['n1'] });
    await rt.start();
    await rt.request('n1', { type: 'write', key: 1, value: 'a' }, 5000);
    await rt.pause('n1');
    await expect(rt.request('n1', { type: 'read', key: 1 }, 300)).rejects.toBeInstanceOf(TimeoutError);
    await rt.resume('n1');
    expect(await rt.request('n1', { type: 'read', key: 1 }, 5000)).toMatchObject({ value: 'a' });
    const pid = rt.pidOf('n1')!;
    await rt.kill('n1');
    expect(isAlive(pid)).toBe(false);
    expect(await ask(rt, 'n1', { type: 'read', key: 1 }, 300)).toBe('timeout');
    await rt.restart('n1');
    expect(rt.pidOf('n1')).not.toBe(pid);
    // The fixture keeps no data: a fresh incarnation has an empty map.
    expect(await rt.request('n1', { type: 'read', key: 1 }, 5000)).toMatchObject({ type: 'error', code: 20 });
    expect(rt.pids().n1).toHaveLength(2);
  });

  it('applies a one-way grudge exactly one way', async () => {
    const rt = scope.fixture('flood.mjs', 2);
    await rt.start();
    await rt.partition({ n2: ['n1'] });
    expect(await flood(rt, 'n1', 'n2', 500)).toBe(0);
    expect(await flood(rt, 'n2', 'n1', 500)).toBe(500);
    expect(rt.stats()).toMatchObject({ sent: 1000, droppedPartition: 500, delivered: 500 });
    await rt.heal();
    expect(await flood(rt, 'n1', 'n2', 100)).toBe(100);
  });

  it('applies loss and duplication deterministically for a seed', async () => {
    const received: number[] = [];
    for (const seed of ['s', 's']) {
      const rt = scope.fixture('flood.mjs', 2, { seed });
      await rt.start();
      await rt.setLinkFaults({ loss: 0.4 });
      received.push(await flood(rt, 'n1', 'n2', 2000));
      const st = rt.stats();
      expect(st.droppedLoss + st.delivered).toBe(2000);
      expect(st.delivered).toBe(received[received.length - 1]);
      await rt.teardown();
    }
    expect(received[0]).toBe(received[1]);
    expect(received[0]).toBeGreaterThan(1000);
    expect(received[0]).toBeLessThan(1400);

    const rt = scope.fixture('flood.mjs', 2);
    await rt.start();
    await rt.setLinkFaults({ duplicate: 1 });
    expect(await flood(rt, 'n1', 'n2', 300)).toBe(600);
    expect(rt.stats().duplicated).toBe(300);
    await rt.setLinkFaults(null);
    expect(await flood(rt, 'n1', 'n2', 300)).toBe(900);
  });

  it('delays node and client messages by the latency', async () => {
    const rt = scope.fixture('lin-kv.mjs', 2);
    await rt.start();
    await rt.setLinkFaults({ latencyMs: 150 });
    const t0 = performance.now();
    await rt.request('n1', { type: 'echo_peer', peer: 'n2' }, 20_000);
    // client->n1, n1->n2, n2->n1, n1->client: four hops of at least 150 ms each.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(4 * 150 - 5);
  });

  it('refuses clock faults for targets without clock support, and bad input with InputError', async () => {
    const rt = scope.fixture('lin-kv.mjs', 1, { nodes: ['n1'] });
    await rt.start();
    await expect(rt.clockSkew('n1', 100)).rejects.toBeInstanceOf(UnsupportedFault);
    await expect(rt.clockSkew('n1', 100)).rejects.toThrow('clock faults are not supported for this target');
    expect(() => rt.request('n9', { type: 'read' }, 100)).toThrow(InputError);
    expect(() => new SimRuntime({ nodes: ['x1'], command: 'x', args: [], dataDir: '/tmp/x', logDir: '/tmp/x', seed: '' })).toThrow(InputError);
  });

  it('names the node when it exits before init, never answers init, or cannot be spawned', async () => {
    const exits = scope.runtime({ command: process.execPath, args: ['-e', 'console.error("boom on {node}"); process.exit(3)'], n: 2 });
    await expect(exits.start()).rejects.toThrow(/node n[12] exited \(code 3\) before answering init[\s\S]*boom on n[12]/);

    const mute = scope.runtime({ command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'], n: 1, initTimeoutMs: 500 });
    const err = await mute.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeStartError);
    expect((err as NodeStartError).message).toMatch(/node n1 did not answer init within 500 ms/);
    expect((err as NodeStartError).node).toBe('n1');

    const missing = scope.runtime({ command: '/nonexistent/maelstrom-bin', args: [], n: 1 });
    await expect(missing.start()).rejects.toThrow(/node n1 could not be started .*ENOENT/);
  });

  it('leaves no node behind after teardown, paused nodes included, and teardown is idempotent', async () => {
    const rt = scope.fixture('lin-kv.mjs', 3);
    const pids: number[] = [];
    try {
      await rt.start();
      await rt.pause('n2');
      pids.push(...Object.values(rt.pids()).flat());
      expect(pids.every(isAlive)).toBe(true);
      throw new Error('a test failing mid-way');
    } catch (err) {
      expect((err as Error).message).toBe('a test failing mid-way');
    } finally {
      await rt.teardown();
    }
    expect(pids).toHaveLength(3);
    expect(pids.filter(isAlive)).toEqual([]);
    await rt.teardown();
    await expect(rt.request('n1', { type: 'read', key: 1 }, 100)).rejects.toThrow(/not running/);
  });

  it('kills every node when the harness process itself crashes', () => {
    const script = join(FIXTURES, 'crashing-harness.mjs');
    const r = spawnSync(process.execPath, [script, join(ROOT, 'dist', 'harness', 'sim', 'sim-runtime.js'), join(FIXTURES, 'lin-kv.mjs'), scope.tempDir()], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('deliberate crash');
    const pids = JSON.parse(r.stdout.trim().split('\n').pop()!) as number[];
    expect(pids).toHaveLength(3);
    // SIGKILL is delivered at once, but give the kernel a moment to reap on a loaded machine.
    const deadline = Date.now() + 5000;
    while (pids.some(isAlive) && Date.now() < deadline) spawnSync('sleep', ['0.05']);
    expect(pids.filter(isAlive)).toEqual([]);
  });
});
