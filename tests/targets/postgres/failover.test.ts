/**
 * PostgreSQL failover on the netns runtime, one config per suite, with the fault made by hand so the outcome
 * does not hang on a random schedule: cut the primary (n1) off from both standbys, write to it, let the
 * failover manager promote a standby, heal, and read every node.
 *
 * async: the primary acknowledges the write, the promoted standby never had it, and once the old primary is
 * rewound onto the new timeline no node has it: an acknowledged commit is lost.
 * sync: the cut-off primary cannot acknowledge (remote_apply needs a standby), so the write ends unknown,
 * never ok; every write acknowledged before the cut survives the failover.
 *
 * First, in both configs, a standby cut off alone keeps serving reads from what it had: a client reading
 * from it (the standby-reads config) sees a write acknowledged after the cut missing until the heal.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Client, ClientResult } from '../../../harness/target.js';
import { PgClient } from '../../../targets/postgres/client.js';
import { PostgresCluster, postgresTarget } from '../../../targets/postgres/index.js';
import { describeWithEnv } from '../../harness/netns/env.js';
import { isolate, nodeNames, retry, testContext } from '../../harness/netns/cluster-context.js';

const NODES = nodeNames(3);
const ok = (r: ClientResult) => r.type === 'ok';

for (const config of ['async', 'sync'] as const) {
  describeWithEnv(`postgres ${config} failover on netns`, ['ip', 'iptables', '/usr/lib/postgresql/15/bin/postgres', 'setpriv'], () => {
    let cluster: PostgresCluster;
    let dispose: () => void;
    const clients: Client[] = [];

    /** A client held to n1, whatever the manager says (what a client with a stale address would do). */
    function pinned(node: string): Client {
      const c = new PgClient(() => ({ node, addr: cluster.clientAddress(node) }), 'set', 'read-committed');
      clients.push(c);
      return c;
    }

    beforeAll(async () => {
      const t = testContext(`pg-${config}`, NODES, config, 'set');
      dispose = t.dispose;
      cluster = (await postgresTarget.create(t.ctx)) as PostgresCluster;
      const t0 = Date.now();
      await cluster.runtime.start();
      await cluster.awaitHealthy(90_000);
      console.log(`[postgres ${config} ${NODES.length} nodes netns] healthy ${Date.now() - t0} ms after start`);
    }, 120_000);

    afterAll(async () => {
      for (const c of clients) await c.close();
      await cluster?.runtime.teardown();
      dispose?.();
    });

    it('a standby cut off from the primary answers reads from its old state (the standby-reads finding)', async () => {
      // Writes to the primary, reads from n3, as a standby-reads client on n3 does.
      const c = new PgClient(() => ({ node: 'n1', addr: cluster.clientAddress('n1') }), 'set', 'read-committed', () => ({ node: 'n3', addr: cluster.clientAddress('n3') }));
      clients.push(c);
      const has = (n: number) => (r: ClientResult) => ok(r) && (r.value as number[]).length === n;
      expect(await c.invoke({ f: 'add', key: 5, value: 1 }, 5000)).toEqual({ type: 'ok' });
      await retry(() => c.invoke({ f: 'read', key: 5 }, 2000), has(1), 40, 250);
      await cluster.runtime.partition(isolate('n3', NODES));
      try {
        // sync acknowledges once n2 has applied it (ANY 1): n3 is not needed, and lags.
        expect(await c.invoke({ f: 'add', key: 5, value: 2 }, 5000)).toEqual({ type: 'ok' });
        expect(await c.invoke({ f: 'read', key: 5 }, 2000)).toEqual({ type: 'ok', value: [1] });
        expect(cluster.manager.primary, 'one standby lost alone is no majority: no failover').toBe('n1');
      } finally {
        await cluster.runtime.heal();
      }
      const caught = await retry(() => c.invoke({ f: 'read', key: 5 }, 2000), has(2), 120, 250);
      expect([...(caught.value as number[])].sort()).toEqual([1, 2]);
    }, 60_000);

    it('a cut-off primary is replaced by a standby; what it acknowledged alone is lost only in async', async () => {
      const old = pinned('n1');
      // Faults aimed at the primary (--nemesis partition-primary) hit the node the manager routes clients to.
      expect(await cluster.roles()).toEqual({ primary: 'n1' });
      expect(await old.invoke({ f: 'add', key: 0, value: 1 }, 5000)).toEqual({ type: 'ok' });
      await cluster.runtime.partition(isolate('n1', NODES));
      let during: ClientResult;
      try {
        during = await old.invoke({ f: 'add', key: 0, value: 2 }, 2000);
        // The manager promotes n2 or n3 once both have lost n1 (replication timeout, then a second).
        const primary = await retry(async () => cluster.manager.primary, (p) => p !== 'n1', 80, 250);
        expect(['n2', 'n3']).toContain(primary);
        expect(cluster.manager.events[0]).toMatchObject({ from: 'n1', to: primary, fenced: ['n1'] });
        expect(await cluster.roles()).toEqual({ primary });
        const fresh = await cluster.openClient('n2', 9);
        clients.push(fresh);
        expect(await retry(() => fresh.invoke({ f: 'add', key: 0, value: 3 }, 2000), ok, 20, 250)).toEqual({ type: 'ok' });
      } finally {
        await cluster.runtime.heal();
      }
      if (config === 'async') expect(during.type).toBe('ok');
      else expect(during.type).toBe('info');
      // After the heal the fenced old primary rewinds and follows the new one; every node agrees.
      for (const n of NODES) {
        const r = await retry(() => cluster.finalRead(n, 0, 2000), (x) => x.ok && (x.value as number[]).includes(3), 120, 250);
        expect(r.ok, `${n} answers after the heal`).toBe(true);
        const seen = [...(r.value as number[])].sort();
        expect(seen, n).toEqual([1, 3]);
      }
    }, 90_000);
  });
}
