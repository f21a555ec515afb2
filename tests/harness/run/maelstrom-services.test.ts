// Whole runs of Maelstrom nodes built on the services: a kv proxy held to linearizability passes on lin-kv and
// fails on seq-kv, and a g-counter on seq-kv passes when it makes its reads fresh and fails when it trusts them.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readContent } from '../../../histories/compressed.js';
import { historyFile } from '../../../histories/store.js';
import { ROOT } from '../../paths.js';
import { checkerOf, cliJson, tmpStore } from './run-helpers.js';

const FIX = join(ROOT, 'tests', 'fixtures', 'maelstrom');
/** Short runs with partitions that really happen (a fault a second). */
const base = (store: string) => ['run', '--target', 'maelstrom', '--nodes', '3', '--nemesis', 'partition', '--nemesis-interval', '1', '--time-limit', '3', '--quiescence', '1', '--rate', '300', '--seed', '13', '--store', store];

describe('Maelstrom services in whole runs', () => {
  it('a kv proxy on lin-kv is linearizable under partitions; on seq-kv it is not', () => {
    const store = tmpStore();
    const lin = cliJson([...base(store), '--workload', 'lin-kv', '--bin', join(FIX, 'kv-proxy.mjs')]);
    expect(lin.code).toBe(0);
    expect(checkerOf(lin.out.results, 'linearizable').valid).toBe(true);
    expect(readContent(historyFile(lin.out.dir))).toMatch(/"f":"start-partition"/);
    const seq = cliJson([...base(store), '--workload', 'lin-kv', '--bin', join(FIX, 'kv-proxy-seq.mjs')]);
    expect(seq.code).toBe(1);
    expect(checkerOf(seq.out.results, 'linearizable').valid).toBe(false);
  });

  it('g-counter on seq-kv: reading its own writes passes, trusting stale reads loses adds', () => {
    const store = tmpStore();
    const good = cliJson([...base(store), '--workload', 'g-counter', '--bin', join(FIX, 'glomers', 'g-counter.mjs')]);
    expect(good.code).toBe(0);
    expect(checkerOf(good.out.results, 'counter').valid).toBe(true);
    const naive = cliJson([...base(store), '--workload', 'g-counter', '--bin', join(FIX, 'glomers', 'g-counter-naive.mjs')]);
    expect(naive.code).toBe(1);
    expect(checkerOf(naive.out.results, 'counter').anomalies.map((a: { kind: string }) => a.kind)).toContain('lost-increments');
  });
});
