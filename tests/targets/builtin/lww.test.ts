import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SimRuntime } from '../../../harness/sim/sim-runtime.js';
import { eventually, isAlive, Scope, sleep } from '../../harness/sim/helpers.js';

const scope = new Scope();
afterEach(async () => {
  const pids = await scope.cleanup();
  expect(pids.filter(isAlive)).toEqual([]);
});

async function localValues(rt: SimRuntime, key: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const n of rt.nodes) {
    const r = await rt.request(n, { type: 'faultline_local_read', key }, 5000);
    expect(r.type).toBe('faultline_local_read_ok');
    out.push(r.exists ? r.value : undefined);
  }
  return out;
}

const split = { n1: ['n3', 'n4', 'n5'], n2: ['n3', 'n4', 'n5'], n3: ['n1', 'n2'], n4: ['n1', 'n2'], n5: ['n1', 'n2'] };

describe('builtin lww', () => {
  it('answers on both sides of a partition and converges after the heal', async () => {
    const rt = scope.builtin('lww', 5);
    await rt.start();
    await rt.partition(split);
    expect(await rt.request('n1', { type: 'write', key: 'r', value: 'left' }, 2000)).toMatchObject({ type: 'write_ok' });
    await sleep(5); // a later wall-clock version on the right
    expect(await rt.request('n4', { type: 'write', key: 'r', value: 'right' }, 2000)).toMatchObject({ type: 'write_ok' });
    expect(await rt.request('n2', { type: 'add', key: 's', element: 1 }, 2000)).toMatchObject({ type: 'add_ok' });
    expect(await rt.request('n5', { type: 'add', key: 's', element: 2 }, 2000)).toMatchObject({ type: 'add_ok' });
    // Each side sees its own write (gossip works inside a side), never the other's.
    await eventually('each side to agree within itself', async () => {
      const v = await localValues(rt, 'r');
      return v[0] === 'left' && v[1] === 'left' && v[2] === 'right' && v[3] === 'right' && v[4] === 'right' ? true : undefined;
    });
    expect(await rt.request('n1', { type: 'read', key: 'r' }, 2000)).toMatchObject({ type: 'read_ok', value: 'left' });
    expect(rt.stats().droppedPartition).toBeGreaterThan(0);

    await rt.heal();
    const converged = await eventually('all nodes to converge', async () => {
      const v = await localValues(rt, 'r');
      return v.every((x) => x === v[0]) ? v[0] : undefined;
    });
    expect(converged).toBe('right');
    await eventually('the set to converge to the union', async () => {
      const v = (await localValues(rt, 's')) as number[][];
      return v.every((s) => s && [...s].sort().join() === '1,2') ? true : undefined;
    });
  });

  it('bug no-merge: gossip flows but nodes never converge', async () => {
    const rt = scope.builtin('lww', 3, 'no-merge');
    await rt.start();
    expect(await rt.request('n1', { type: 'write', key: 'r', value: 'a' }, 2000)).toMatchObject({ type: 'write_ok' });
    const sentBefore = rt.stats().delivered;
    await sleep(1500);
    expect(rt.stats().delivered).toBeGreaterThan(sentBefore); // gossip is being exchanged
    expect(await localValues(rt, 'r')).toEqual(['a', undefined, undefined]);
    expect(await rt.request('n2', { type: 'read', key: 'r' }, 2000)).toMatchObject({ type: 'error', code: 20 });
  });

  it('without the bug the same write reaches every node', async () => {
    const rt = scope.builtin('lww', 3);
    await rt.start();
    await rt.request('n1', { type: 'write', key: 'r', value: 'a' }, 2000);
    await eventually('every node to hold the write', async () => {
      const v = await localValues(rt, 'r');
      return v.every((x) => x === 'a') ? true : undefined;
    });
  });

  it('clock skew makes a later write lose to an earlier one', async () => {
    const rt = scope.builtin('lww', 2);
    await rt.start();
    await rt.clockSkew('n2', -60_000);
    await rt.request('n1', { type: 'write', key: 'r', value: 'first' }, 2000);
    await eventually('n2 to see the first write', async () => ((await localValues(rt, 'r'))[1] === 'first' ? true : undefined));
    await rt.request('n2', { type: 'write', key: 'r', value: 'second' }, 2000);
    await eventually('the nodes to converge', async () => {
      const v = await localValues(rt, 'r');
      return v[0] === v[1] ? v[0] : undefined;
    }).then((v) => expect(v).toBe('first'));
  });

  it('a restarted node keeps its data, and a peer restarted with its data wiped is refilled by gossip', async () => {
    const rt = scope.builtin('lww', 2);
    await rt.start();
    await rt.partition({ n2: ['n1'], n1: ['n2'] });
    await rt.request('n1', { type: 'write', key: 'r', value: 'kept' }, 2000);
    await rt.kill('n1');
    await rt.restart('n1');
    expect(await rt.request('n1', { type: 'read', key: 'r' }, 2000)).toMatchObject({ value: 'kept' });
    await rt.heal();
    await eventually('n2 to get the write', async () => ((await localValues(rt, 'r'))[1] === 'kept' ? true : undefined));

    const dataDir = (rt as unknown as { opts: { dataDir: string } }).opts.dataDir;
    await rt.kill('n2');
    rmSync(join(dataDir, 'n2'), { recursive: true, force: true });
    await rt.restart('n2');
    expect(await rt.request('n2', { type: 'faultline_local_read', key: 'r' }, 2000)).toMatchObject({ exists: false });
    // n1 had n2's ack for everything; the new incarnation's ack makes it send everything again.
    await eventually('the wiped n2 to be refilled', async () => ((await localValues(rt, 'r'))[1] === 'kept' ? true : undefined));
  });
});
