/**
 * `faultline run --runtime ssh` when hosts drop off, and `faultline cleanup --hosts`, against sshd "hosts"
 * (fixture namespaces): a host cut off before the heal (exit 255 and a report naming it, then cleanup); a
 * host back in time for teardown (the failed heal still printed); a harness killed with SIGKILL mid-run.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithEnv } from '../netns/env.js';
import { cli, ROOT, STACK } from '../cli/helpers.js';
import { tmpStore } from '../run/run-helpers.js';
import { loadHosts } from '../../../harness/ssh/hosts.js';
import { SshPool } from '../../../harness/ssh/pool.js';
import { sleep } from '../../../harness/time.js';
import { expectNothingLeft, sshHosts, type SshHostsFixture } from './fixture.js';

const results = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));

describeWithEnv('faultline run --runtime ssh, hosts that drop off', ['ip', 'sshd', 'ssh-keygen', 'iptables', 'etcd'], () => {
  let fx: SshHostsFixture;
  let pool: SshPool;
  beforeAll(async () => {
    fx = await sshHosts(3, { settings: { commandTimeoutMs: 4000, retryForMs: 3000 } });
    pool = new SshPool(loadHosts(fx.hostsFile));
  });
  afterAll(() => {
    pool?.close();
    fx?.dispose();
  });

  const expectHostsClean = () => expectNothingLeft(fx, pool);

  it('exits 255 naming the host it could not reach to heal, and cleanup --hosts finishes the job', async () => {
    // Seed 11 partitions n1 from n2 from 2.4 s to the end, so the heal has rules to remove on n1's host.
    const store = tmpStore();
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'faultline.js'),
      'run', '--target', 'etcd', '--runtime', 'ssh', '--hosts', fx.hostsFile, '--nodes', '3', '--time-limit', '6', '--nemesis', 'partition',
      '--nemesis-interval', '4', '--quiescence', '1', '--convergence-bound', '2', '--seed', '11', '--store', store, '--no-progress'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    let cut = false;
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!cut && stderr.includes('[main]')) {
        cut = true;
        // After the partition started (2.4 s), before the heal (6 s).
        setTimeout(() => fx.setReachable(0, false), 4500);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    fx.setReachable(0, true);
    expect(cut).toBe(true);
    expect(code).toBe(255);
    expect(stderr).toMatch(new RegExp(`teardown could not undo everything:[\\s\\S]*n1 \\(root@${fx.addresses[0].replace(/\./g, '\\.')}\\)`));
    expect(stderr).toMatch(/faultline cleanup --hosts \S+ --run \S+/);
    expect(stdout).toMatch(/NOT UNDONE/);
    expect(stdout).toMatch(/FAULT STEP FAILED: stop-partition/);
    // Only the host that was cut off is named; the others were cleaned.
    const report = stderr.slice(stderr.indexOf('teardown could not undo everything'));
    expect(report).toMatch(/kill the node's processes \(etcd PID \d+\)/);
    expect(report).not.toMatch(/\bn[23] \(root@/);
    expect(stderr).not.toMatch(STACK);
    // The hosts that answered were cleaned; n1's leftovers are still there until cleanup runs.
    await fx.waitReachable(0);
    expect(await pool.run(pool.file.hosts[0], 'iptables -S FAULTLINE-PART')).toMatch(/DROP/);
    const c = cli(['cleanup', '--hosts', fx.hostsFile]);
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/removed n1 .*process etcd \(PID \d+\)/);
    expect(c.stdout).toMatch(/removed n1 .*iptables chains/);
    await expectHostsClean();
  }, 120_000);

  it('says in the printed summary that a heal failed, even when the host is back for teardown', async () => {
    // As above (seed 11: n1 cut from n2 from 2.4 s on), but n1's link comes back once the heal has given up
    // (the quiescence phase begins), so teardown undoes everything and only the failed heal is left to tell.
    const store = tmpStore();
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'faultline.js'),
      'run', '--target', 'etcd', '--runtime', 'ssh', '--hosts', fx.hostsFile, '--time-limit', '6', '--nemesis', 'partition',
      '--nemesis-interval', '4', '--quiescence', '1', '--convergence-bound', '2', '--seed', '11', '--store', store, '--no-progress'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    let cut = false;
    let back = false;
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!cut && stderr.includes('[main]')) {
        cut = true;
        setTimeout(() => fx.setReachable(0, false), 4500);
      }
      if (cut && !back && stderr.includes('[quiescence]')) {
        back = true;
        fx.setReachable(0, true);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    fx.setReachable(0, true);
    expect(back).toBe(true);
    expect(stderr).not.toMatch(STACK);
    // Teardown reached every host: nothing is left, so the exit is the verdict's, not 255...
    expect(stdout).not.toMatch(/NOT UNDONE/);
    expect([0, 1, 2]).toContain(code);
    // ...and the failed heal is in the printed summary, not only in the history.
    expect(stdout).toMatch(/FAULT STEP FAILED: stop-partition at \d+\.\d s: /);
    const runDir = join(store, 'etcd-cp-register', readdirSync(join(store, 'etcd-cp-register')).find((d) => d !== 'latest')!);
    expect(results(runDir).summary.faultErrors).toEqual([expect.stringMatching(/^stop-partition at /)]);
    await expectHostsClean();
  }, 120_000);

  it('cleans up after a harness killed with SIGKILL mid-run', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'faultline.js'),
      'run', '--target', 'etcd', '--runtime', 'ssh', '--hosts', fx.hostsFile, '--time-limit', '30', '--nemesis', 'partition',
      '--nemesis-interval', '1', '--seed', '2', '--store', tmpStore(), '--no-progress'], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    for (let i = 0; i < 300 && !stderr.includes('[main]'); i++) await sleep(100);
    expect(stderr).toContain('[main]');
    await sleep(2500);
    const pids = (await Promise.all(pool.file.hosts.map((h) => pool.run(h, `cat ${h.dir}/runs/*/pids/*.ref`)))).map((s) => Number(s.split(' ')[0]));
    process.kill(child.pid!, 'SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    const c = cli(['cleanup', '--hosts', fx.hostsFile, '--json']);
    expect(c.code).toBe(0);
    const removed = c.stdout.trim().split('\n').map((l) => JSON.parse(l).removed as string);
    for (const [i, pid] of pids.entries()) expect(removed).toContain(removed.find((x) => x.startsWith(`n${i + 1} `) && x.includes(`(PID ${pid})`)));
    await expectHostsClean();
  }, 120_000);
});
