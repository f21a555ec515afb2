/**
 * PostgreSQL's isolation levels against the Elle-style list-append checker, with no faults at all: on one
 * real postgres, concurrent transactions that read some lists and append to others. Repeatable read is
 * snapshot isolation in PostgreSQL, which allows write skew, so the checker must find G2-item cycles there;
 * serializable (SSI) must show none, its conflicts surfacing as serialization failures (`fail`) instead.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Op } from '../../../histories/op.js';
import { checkTxn } from '../../../checkers/txn/index.js';
import { rngFor } from '../../../harness/rng.js';
import type { Isolation } from '../../../targets/postgres/client.js';
import { PgClient } from '../../../targets/postgres/client.js';
import { PostgresCluster, postgresTarget } from '../../../targets/postgres/index.js';
import { describeWithEnv } from '../../harness/netns/env.js';
import { testContext } from '../../harness/netns/cluster-context.js';
import { InputError } from '../../../histories/errors.js';

const CLIENTS = 8;
const TXNS_PER_CLIENT = 40;
const KEYS = 4;

it('refuses an isolation level and a config it does not know', async () => {
  const { ctx, dispose } = testContext('pg-bad', ['n1'], 'async', 'register');
  try {
    await expect(postgresTarget.create({ ...ctx, isolation: 'snapshot' })).rejects.toThrow(/--isolation must be one of read-committed, repeatable-read, serializable/);
    await expect(postgresTarget.create({ ...ctx, config: 'quorum' })).rejects.toBeInstanceOf(InputError);
  } finally {
    dispose();
  }
});

/** A bounded list-append history: each client runs its transactions one after another. */
async function listAppendHistory(cluster: PostgresCluster, isolation: Isolation, keyBase: number): Promise<Op[]> {
  const ops: Op[] = [];
  const t0 = performance.now();
  const now = () => Math.round((performance.now() - t0) * 1e6);
  const rng = rngFor('7', `pg-${isolation}`);
  let next = 1;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, p) => {
      const route = () => ({ node: 'n1', addr: cluster.clientAddress('n1') });
      const client = new PgClient(route, 'register', isolation);
      try {
        for (let i = 0; i < TXNS_PER_CLIENT; i++) {
          const mops: [string, number, unknown][] = [];
          const n = rng.int(2, 4);
          for (let m = 0; m < n; m++) {
            const k = keyBase + rng.int(0, KEYS - 1);
            mops.push(rng.chance(0.5) ? ['r', k, null] : ['append', k, next++]);
          }
          ops.push({ index: ops.length, type: 'invoke', process: p, time: now(), f: 'txn', value: mops });
          const r = await client.invoke({ f: 'txn', value: mops }, 5000);
          ops.push({ index: ops.length, type: r.type, process: p, time: now(), f: 'txn', value: r.type === 'ok' ? r.value : mops, ...(r.error ? { error: r.error } : {}) });
        }
      } finally {
        await client.close();
      }
    }),
  );
  return ops;
}

describeWithEnv('postgres isolation levels (one node, no faults)', ['ip', 'iptables', '/usr/lib/postgresql/15/bin/postgres', 'setpriv'], () => {
  let cluster: PostgresCluster;
  let dispose: () => void;

  beforeAll(async () => {
    const t = testContext('pg-iso', ['n1'], 'async', 'register');
    dispose = t.dispose;
    cluster = (await postgresTarget.create(t.ctx)) as PostgresCluster;
    await cluster.runtime.start();
    await cluster.awaitHealthy(90_000);
  }, 120_000);

  afterAll(async () => {
    await cluster?.runtime.teardown();
    dispose?.();
  });

  it('repeatable read lets write skew through: the checker finds G2-item', async () => {
    const ops = await listAppendHistory(cluster, 'repeatable-read', 0);
    const r = checkTxn(ops, 'list-append', { consistencyModels: ['serializable'] });
    expect(ops.filter((o) => o.type === 'ok').length).toBeGreaterThan(CLIENTS * TXNS_PER_CLIENT * 0.2);
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toContain('G2-item');
    // Snapshot isolation forbids every cycle but the anti-dependency ones.
    expect(r.anomalyTypes.filter((t) => /^(G0|G1)/.test(t))).toEqual([]);
  }, 60_000);

  it('serializable shows no anomaly; its conflicts are refused as serialization failures', async () => {
    const ops = await listAppendHistory(cluster, 'serializable', 100);
    const r = checkTxn(ops, 'list-append', { consistencyModels: ['serializable'] });
    expect(r.anomalyTypes).toEqual([]);
    expect(r.valid).toBe(true);
    expect(ops.some((o) => o.type === 'fail' && /40001/.test(String(o.error)))).toBe(true);
  }, 60_000);
});
