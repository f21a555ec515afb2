/**
 * The ssh runtime over real SSH to sshd "hosts" (namespaces made by the fixture), with etcd on them: start
 * under start-stop-daemon (on two hosts through a wrapper script given as bin.etcd), partition and heal as
 * iptables rules in faultline's own chains (other rules untouched), node->node latency through link proxies
 * run on the hosts (this kernel has no netem), kill, pause and resume by recorded PID, and a teardown that
 * copies logs back and leaves nothing. (A host that drops off the
 * network during heal, and cleanup --hosts, are tested through the CLI: cli.test.ts.)
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithEnv } from '../netns/env.js';
import { isolate, nodeNames, testContext } from '../netns/cluster-context.js';
import { loadHosts } from '../../../harness/ssh/hosts.js';
import { SshPool } from '../../../harness/ssh/pool.js';
import { SshRuntime } from '../../../harness/ssh/runtime.js';
import { EtcdCluster, etcdTarget } from '../../../targets/etcd/index.js';
import { nodesVersion } from '../../../targets/real-context.js';
import { sleep } from '../../../harness/time.js';
import { sshHosts, type SshHostsFixture } from './fixture.js';

const NODES = nodeNames(3);
/** The host's rules as iptables-save prints them, without counters and comments. */
const rulesOf = async (pool: SshPool, i: number) =>
  (await pool.run(pool.file.hosts[i], 'iptables-save -t filter; iptables-save -t nat'))
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.replace(/\[\d+:\d+\]/, ''))
    .join('\n');

/**
 * PIDs of live (not zombie) processes on host i whose command line mentions `text` (a path). The pattern ends
 * in a bracket expression, so the shell and grep that look for it, whose command lines spell it, do not match.
 */
const procsWith = async (pool: SshPool, i: number, text: string) =>
  (
    await pool.run(
      pool.file.hosts[i],
      `for d in /proc/[0-9]*; do grep -q '${text.slice(0, -1).replace(/\./g, '\\.')}[${text.slice(-1)}]' $d/cmdline 2>/dev/null || continue; s=$(sed 's/.*) //' $d/stat 2>/dev/null | cut -c1); [ -n "$s" ] && [ "$s" != Z ] && echo \${d#/proc/}; done; true`,
    )
  )
    .split('\n')
    .filter(Boolean)
    .map(Number);

/**
 * Milliseconds, measured on host i, from connecting to addr:port until the first bytes of an HTTP answer (etcd's
 * peer port answers /version), or null. Run as root, so the host's REDIRECT rules apply to it as to etcd.
 */
const peerHttpMs = async (pool: SshPool, i: number, addr: string, port: number): Promise<number | null> => {
  const js = `const s=require('net').connect(${port},'${addr}');const t=performance.now();s.on('connect',()=>s.write('GET /version HTTP/1.0\\r\\n\\r\\n'));s.once('data',()=>{console.log(Math.round(performance.now()-t));process.exit(0)});s.on('error',e=>{console.log('error');process.exit(0)});setTimeout(()=>{console.log('timeout');process.exit(0)},8000)`;
  const out = (await pool.run(pool.file.hosts[i], `node -e ${JSON.stringify(js)}`)).trim();
  return /^\d+$/.test(out) ? Number(out) : null;
};

/** True while the PID runs on the host (a zombie awaiting its reaper counts as gone). */
const alive = async (pool: SshPool, i: number, pid: number) =>
  (await pool.run(pool.file.hosts[i], `s=$(sed 's/.*) //' /proc/${pid}/stat 2>/dev/null | cut -c1); [ -n "$s" ] && [ "$s" != Z ] && echo yes || echo no`)).trim() === 'yes';

describeWithEnv('ssh runtime: etcd on sshd hosts', ['ip', 'sshd', 'ssh-keygen', 'iptables', 'etcd'], () => {
  let fx: SshHostsFixture;
  let pool: SshPool;
  let before: string[] = [];

  beforeAll(async () => {
    fx = await sshHosts(3, { settings: { commandTimeoutMs: 10_000, retryForMs: 3000 } });
    // bin.etcd as wrapper scripts: n2's runs etcd as its child, n3's execs it.
    const dir = dirname(fx.hostsFile);
    writeFileSync(join(dir, 'etcd-fork'), '#!/bin/sh\n/usr/bin/etcd "$@"\n');
    writeFileSync(join(dir, 'etcd-exec'), '#!/bin/sh\nexec /usr/bin/etcd "$@"\n');
    for (const w of ['etcd-fork', 'etcd-exec']) chmodSync(join(dir, w), 0o755);
    const hf = JSON.parse(readFileSync(fx.hostsFile, 'utf8'));
    hf.hosts[1].bin = { etcd: join(dir, 'etcd-fork') };
    hf.hosts[2].bin = { etcd: join(dir, 'etcd-exec') };
    writeFileSync(fx.hostsFile, JSON.stringify(hf, null, 2));
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
    const cluster = (await etcdTarget.create({ ...ctx, runtime: 'ssh', hosts: fx.hostsFile, faults: ['partition', 'kill', 'pause', 'latency'] })) as EtcdCluster;
    const rt = cluster.runtime as SshRuntime;
    try {
      await rt.start();
      await cluster.awaitHealthy(30_000);
      expect(rt.addressOf('n2')).toBe(fx.addresses[1]);
      // Each etcd runs under start-stop-daemon, the wrapped ones too (the PID recorded is the wrapper's
      // shell on n2, which forks etcd, and etcd itself on n3, whose wrapper execs it).
      for (const n of NODES) expect(rt.procsOf(n).map((p) => [p.name, p.supervisor])).toEqual([['etcd', 'start-stop-daemon']]);
      const wrapped = (await pool.run(pool.file.hosts[1], `tr '\\0' ' ' < /proc/${rt.pidsOf('n2')[0]}/cmdline`)).trim();
      expect(wrapped.startsWith('/bin/sh ') && wrapped.includes('etcd-fork')).toBe(true);
      expect((await pool.run(pool.file.hosts[2], `readlink /proc/${rt.pidsOf('n3')[0]}/exe`)).trim()).toBe('/usr/bin/etcd');
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

      // Node->node latency: no netem here, so a link proxy runs on every host (group nogroup, which the
      // REDIRECT rules skip) and etcd's peer connections go through it.
      const proxyPids = NODES.map((n) => {
        const m = rt.linkModeOf(n);
        expect(m?.kind).toBe('proxy');
        return m?.kind === 'proxy' ? m.pid : 0;
      });
      expect((await pool.run(pool.file.hosts[0], `grep '^Gid' /proc/${proxyPids[0]}/status`)).split(/\s+/)[1]).toBe('65534');
      const redirects = await pool.run(pool.file.hosts[0], 'iptables -t nat -S FAULTLINE-LAT');
      expect(redirects).toContain(`-A FAULTLINE-LAT -d ${fx.addresses[1]}/32 -p tcp -m tcp --dport 2380 -m owner ! --gid-owner 65534 -j REDIRECT --to-ports 41000`);
      // etcd on n1 talks to n2's 2380 through the proxy: etcd's socket (its original destination, n2:2380)
      // is the peer of a socket of the proxy on 127.0.0.1:41000, and the proxy has its own to n2:2380.
      const conns = (await pool.run(pool.file.hosts[0], 'ss -Htnp state established'))
        .split('\n')
        .map((l) => /(\S+)\s+(\S+)\s+users:\(\("([^"]+)",pid=(\d+)/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ local: m[1], remote: m[2], proc: m[3], pid: Number(m[4]) }));
      const n2Peer = `${fx.addresses[1]}:2380`;
      const etcdToN2 = conns.filter((c) => c.proc === 'etcd' && c.remote === n2Peer).map((c) => c.local);
      expect(etcdToN2.length).toBeGreaterThan(0);
      expect(conns.some((c) => c.pid === proxyPids[0] && c.local === '127.0.0.1:41000' && etcdToN2.includes(c.remote))).toBe(true);
      expect(conns.some((c) => c.pid === proxyPids[0] && c.remote === n2Peer)).toBe(true);
      await rt.setLinkFaults({ latencyMs: 400 });
      for (const [i, n] of NODES.entries()) {
        expect((await pool.run(pool.file.hosts[i], `cat ${rt.pathsOf(n).root}/proxy/delay.applied`)).trim()).toBe('{"latencyMs":400,"jitterMs":0}');
      }
      // A request to a peer's 2380 from n1 waits for the delay each way (a lower bound: load only adds to it).
      expect(await peerHttpMs(pool, 0, fx.addresses[1], 2380)).toBeGreaterThanOrEqual(780);
      await rt.setLinkFaults(null);
      expect((await pool.run(pool.file.hosts[0], `cat ${rt.pathsOf('n1').root}/proxy/delay.applied`)).trim()).toBe('{"latencyMs":0,"jitterMs":0}');
      expect(await peerHttpMs(pool, 0, fx.addresses[1], 2380)).not.toBeNull();

      const [pid] = rt.pidsOf('n2');
      const n2Data = `${rt.pathsOf('n2').data}/n2`;
      expect((await procsWith(pool, 1, n2Data)).length).toBe(2); // the wrapper's shell and its etcd
      await rt.kill('n2');
      expect(await alive(pool, 1, pid)).toBe(false);
      expect(await procsWith(pool, 1, n2Data)).toEqual([]);
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
      for (const [i, pid] of proxyPids.entries()) expect(await alive(pool, i, pid)).toBe(false);
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
  it('skews the clock of a program that honours libfaketime, over SSH (etcd and redis do not: see the README)', async () => {
    // date(1) is dynamically linked and reads the wall clock through libc, so LD_PRELOAD=libfaketime reaches it.
    const work = mkdtempSync(join(tmpdir(), 'fl-ssh-clock-'));
    const rt = new SshRuntime({
      runId: `ssh-clock-${process.pid}-${Date.now()}`,
      nodes: ['n1'],
      hosts: loadHosts(fx.hostsFile),
      dataDir: join(work, 'data'),
      logDir: join(work, 'logs'),
      launch: (_node, ctx) => ({ name: 'clock', command: '/bin/sh', args: ['-c', `while :; do date +%s > ${ctx.dataDir}/now.tmp && mv ${ctx.dataDir}/now.tmp ${ctx.dataDir}/now; sleep 0.2; done`], clock: 'faketime' }),
    });
    const skewOf = async () => Number((await pool.run(pool.file.hosts[0], `cat ${rt.pathsOf('n1').data}/n1/now 2>/dev/null || echo NaN`)).trim()) - Math.round(Date.now() / 1000);
    try {
      await rt.start();
      /** The skew the program sees, once it is within 600 s of `want` (or the last reading after 50 tries). */
      const skewNear = async (want: number) => {
        let skew = NaN;
        for (let i = 0; i < 50; i++) {
          skew = await skewOf();
          if (Math.abs(skew - want) < 600) break;
          await sleep(200);
        }
        return skew;
      };
      expect(Math.abs(await skewNear(0))).toBeLessThan(600);
      await rt.clockSkew('n1', 86_400_000);
      expect(Math.abs((await skewNear(86_400)) - 86_400)).toBeLessThan(600);
      await rt.clockSkew('n1', 0);
      expect(Math.abs(await skewNear(0))).toBeLessThan(600);
    } finally {
      await rt.teardown();
      rmSync(work, { recursive: true, force: true });
    }
    expect(rt.leftovers()).toEqual([]);
  }, 60_000);
});
