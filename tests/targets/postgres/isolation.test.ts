/**
 * PostgreSQL's isolation levels through `faultline run --workload txn-list-append`, with no faults at all: one
 * real postgres, concurrent seeded transactions that read some lists and append to others, judged by the
 * Elle-style list-append checker against the default strict-serializable model. Repeatable read is snapshot
 * isolation in PostgreSQL, which allows write skew, so the run must find G2-item (and no G0/G1) and fail;
 * serializable (SSI) must be valid, its conflicts surfacing as serialization failures (`fail`) instead.
 */
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { postgresTarget } from '../../../targets/postgres/index.js';
import { describeWithEnv } from '../../harness/netns/env.js';
import { testContext } from '../../harness/netns/cluster-context.js';
import { InputError } from '../../../histories/errors.js';
import { checkerOf, cliJson, tmpStore } from '../../harness/run/run-helpers.js';

it('refuses an isolation level and a config it does not know', async () => {
  const { ctx, dispose } = testContext('pg-bad', ['n1'], 'async', 'register');
  try {
    await expect(postgresTarget.create({ ...ctx, isolation: 'snapshot' })).rejects.toThrow(/--isolation must be one of read-committed, repeatable-read, serializable/);
    await expect(postgresTarget.create({ ...ctx, config: 'quorum' })).rejects.toBeInstanceOf(InputError);
  } finally {
    dispose();
  }
});

describeWithEnv('postgres isolation levels as run workloads (one node, no faults)', ['ip', 'iptables', '/usr/lib/postgresql/15/bin/postgres', 'setpriv'], () => {
  const store = tmpStore();
  // The server runs as the postgres user, which must be able to enter the store.
  chmodSync(store, 0o755);
  const run = (isolation: string) =>
    cliJson(['run', '--target', 'postgres', '--workload', 'txn-list-append', '--isolation', isolation, '--nodes', '1', '--nemesis', 'none', '--time-limit', '5', '--quiescence', '0', '--concurrency', '8', '--keys', '4', '--seed', '7', '--store', store]);
  const history = (): { type: string; error?: string }[] =>
    gunzipSync(readFileSync(join(store, 'postgres-async-txn-list-append', 'latest', 'history.jsonl.gz')))
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; error?: string });

  it('repeatable read lets write skew through: the run finds G2-item and no G0/G1', () => {
    const r = run('repeatable-read');
    expect(r.code, r.stderr).toBe(1);
    const c = checkerOf(r.out.results, 'list-append');
    expect(c.valid).toBe(false);
    expect(c.anomalyTypes).toContain('G2-item');
    // Snapshot isolation forbids every cycle but the anti-dependency ones.
    expect(c.anomalyTypes.filter((t: string) => /^(G0|G1)/.test(t))).toEqual([]);
  }, 120_000);

  it('serializable shows no anomaly; its conflicts are refused as serialization failures', () => {
    const r = run('serializable');
    expect(r.code, r.stderr).toBe(0);
    const c = checkerOf(r.out.results, 'list-append');
    expect(c.anomalyTypes).toEqual([]);
    expect(c.valid).toBe(true);
    const ops = history();
    expect(ops.filter((o) => o.type === 'ok').length).toBeGreaterThan(50);
    expect(ops.some((o) => o.type === 'fail' && /40001/.test(String(o.error)))).toBe(true);
  }, 120_000);
});
