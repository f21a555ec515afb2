/**
 * The ssh runtime over real SSH to sshd "hosts" (namespaces made by the fixture), with etcd on them: start,
 * partition and heal as iptables rules in faultline's own chains (other rules untouched), kill, pause and
 * resume by recorded PID, and a teardown that copies logs back and leaves nothing. (A host that drops off the
 * network during heal, and cleanup --hosts, are tested through the CLI: cli.test.ts.)
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithEnv } from '../netns/env.js';
import { isolate, nodeNames, testContext } from '../netns/cluster-context.js';
import { loadHosts } from '../../../harness/ssh/hosts.js';
import { SshPool } from '../../../harness/ssh/pool.js';
import { SshRuntime } from '../../../harness/ssh/runtime.js';
import { EtcdCluster, etcdTarget } from '../../../targets/etcd/index.js';
import { nodesVersion } from '../../../targets/real-context.js';
import { sshHosts, type SshHostsFixture } from './fixture.js';

const NODES = nodeNames(3);
/** The host's rules as iptables-save prints them, without counters and comments. */
const rulesOf = async (pool: SshPool, i: number) =>
  (await pool.run(pool.file.hosts[i], 'iptables-save -t filter; iptables-save -t nat'))
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.replace(/\[\d+:\d+\]/, ''))
    .join('\n');

/** True while the PID runs on the host (a zombie awaiting its reaper counts as gone). */
const alive = async (pool: SshPool, i: number, pid: number) =>
  (await pool.run(pool.file.hosts[i], `s=$(sed 's/.*) //' /proc/${pid}/stat 2>/dev/null | cut -c1); [ -n "$s" ] && [ "$s" != Z ] && echo yes || echo no`)).trim() === 'yes';

describeWithEnv('ssh runtime: etcd on sshd hosts', ['ip', 'sshd', 'ssh-keygen', 'iptables', 'etcd'], () => {
  let fx: SshHostsFixture;
  let pool: SshPool;
  let before: string[] = [];

  beforeAll(async () => {
    fx = await sshHosts(3, { settings: { commandTimeoutMs: 4000, retryForMs: 3000 } });
    pool = new SshPool(loadHosts(fx.hostsFile));
    // Someone else's rules on a host: faultline must leave them exactly as they are.
    await pool.run(pool.file.hosts[0], 'iptables -N SOMEONE-ELSE && iptables -A SOMEONE-ELSE -s 192.0.2.7/32 -j ACCEPT && iptables -A INPUT -j SOMEONE-ELSE');
    // Twice: the first listing of the nat table may create it (iptables-nft), which is not a change of ours.
    await Promise.all([0, 1, 2].map((i) => rulesOf(pool, i)));
    before = await Promise.all([0, 1, 2].map((i) => rulesOf(pool, i)));
  });
  afterAll(() => {
    pool?.close();
    fx?.dispose();
  });

  it('runs etcd, partitions, kills and pauses it over SSH, and leaves the hosts as they were', async () => {
    const { ctx, dispose } = testContext('ssh-etcd', NODES, 'cp', 'register');
    const cluster = (await etcdTarget.create({ ...ctx, runtime: 'ssh', hosts: fx.hostsFile })) as EtcdCluster;
    const rt = cluster.runtime as SshRuntime;
    try {
      await rt.start();
      await cluster.awaitHealthy(30_000);
      expect(rt.addressOf('n2')).toBe(fx.addresses[1]);
      // Versions are asked of the hosts over SSH: a probe that answers with the address it runs at shows
      // each host answering for itself, and hosts that differ are listed by version.
      const probe = join(dirname(fx.hostsFile), 'version-probe');
      writeFileSync(probe, "#!/bin/sh\necho \"etcd Version: 3.4.0-$(ip -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1)\"\n");
      chmodSync(probe, 0o755);
      expect(await nodesVersion(rt, NODES, probe, /etcd Version:\s*(\S+)/)).toBe(NODES.map((n, i) => `3.4.0-${fx.addresses[i]} on ${n}`).join('; '));
      expect((await cluster.versions()).etcd).toMatch(/^3\.\d+\.\d+$/);
      const c = await cluster.openClient('n1', 0);
      expect((await c.invoke({ f: 'write', key: 1, value: 5 }, 5000)).type).toBe('ok');

      await rt.partition(isolate('n1', NODES));
      const part = await pool.run(pool.file.hosts[0], 'iptables -S FAULTLINE-PART');
      expect(part).toContain(`-A FAULTLINE-PART -s ${fx.addresses[1]}/32 -j DROP`);
      expect(part).toContain(`-A FAULTLINE-PART -s ${fx.addresses[2]}/32 -j DROP`);
      // The cut-off member cannot serve a linearizable read.
      expect((await c.invoke({ f: 'read', key: 1 }, 2000)).type).not.toBe('ok');
      await rt.heal();
      expect(await pool.run(pool.file.hosts[0], 'iptables -S FAULTLINE-PART')).not.toContain('DROP');

      const [pid] = rt.pidsOf('n2');
      await rt.kill('n2');
      expect(await alive(pool, 1, pid)).toBe(false);
      await rt.restart('n2');
      const [pid2] = rt.pidsOf('n2');
      expect(pid2).not.toBe(pid);
      await rt.pause('n3');
      const [pid3] = rt.pidsOf('n3');
      expect((await pool.run(pool.file.hosts[2], `sed 's/.*) //' /proc/${pid3}/stat | cut -c1`)).trim()).toBe('T');
      await rt.resume('n3');
      await cluster.awaitHealthy(30_000);
      await c.close();
      await rt.teardown();
      expect(rt.leftovers()).toEqual([]);
      // Logs came back into the run's nodes/ folder; the hosts hold nothing of the run and their rules are as before.
      expect(readFileSync(join(ctx.logDir, 'n1.log'), 'utf8')).toMatch(/etcd/);
      for (const i of [0, 1, 2]) {
        expect(await rulesOf(pool, i)).toBe(before[i]);
        expect(existsSync(join(fx.dirs[i], 'runs', ctx.runId))).toBe(false);
      }
    } finally {
      await rt.teardown().catch(() => undefined);
      dispose();
    }
  }, 90_000);
});
