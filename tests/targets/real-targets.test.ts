/**
 * Real etcd and Redis clusters under kernel-made faults, through `faultline compare` as a user runs it:
 * on the netns runtime, and (when a Docker engine answers) on the docker runtime. Each compare runs both
 * configurations with one seed, so the CP/AP contrast is the same ops and the same faults.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it as vitestIt } from 'vitest';

// Whole runs of real clusters: minutes, not the suite default.
const it = (name: string, fn: () => void) => vitestIt(name, fn, 300_000);
import { describeWithEnv } from '../harness/netns/env.js';
import { checkDocker, describeWithDocker } from '../harness/docker/env.js';
import { checkerOf, cliJson, tmpStore } from '../harness/run/run-helpers.js';
import { cli } from '../harness/cli/helpers.js';
import { readContent } from '../../histories/compressed.js';
import { forcedStaleRead } from './etcd/forced-stale-read.js';

const results = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
const ETCD = ['etcd'];
const REDIS = ['redis-server', 'redis-sentinel'];

function etcdCompare(runtime: string, store: string) {
  const { out } = cliJson([
    'compare', '--target', 'etcd', '--configs', 'cp,ap', '--runtime', runtime, '--nodes', '3', '--time-limit', '14',
    '--nemesis', 'partition,kill', '--nemesis-interval', '2.5', '--quiescence', '1', '--seed', '21', '--store', store,
  ]);
  const [cp, ap] = out.runs.map(results);
  return { out, cp, ap };
}

/**
 * Latency between members, through the link proxies (no netem here): a commit needs a delayed round trip,
 * so ops in the latency windows are far slower than outside them, and cp stays linearizable.
 */
function etcdLatencyRun(runtime: string) {
  const { code, out } = cliJson([
    'run', '--target', 'etcd', '--config', 'cp', '--runtime', runtime, '--nodes', '3', '--time-limit', '10',
    '--nemesis', 'latency', '--nemesis-interval', '2', '--quiescence', '1', '--seed', '3', '--store', tmpStore(),
  ]);
  expect(code).toBe(0);
  const r = results(out.dir);
  expect(checkerOf(r, 'linearizable').valid).toBe(true);
  const a = checkerOf(r, 'availability').stats;
  // Seed 3 plans two latency faults, of 40 and 191 ms (plus jitter).
  expect(a.byFault.latency.ops).toBeGreaterThan(10);
  expect(a.byFault.latency.latencyMs.p50).toBeGreaterThan(40);
  expect(a.byFault.latency.latencyMs.p50).toBeGreaterThan(3 * a.outsideFaults.latencyMs.p50);
  const history = readContent(join(out.dir, 'history.jsonl.gz'));
  expect(history).toMatch(/"f":"start-latency"/);
  expect(history).not.toMatch(/not supported|needs netem|peer ports/);
}

function expectEtcdContrast(cp: any, ap: any): void {
  // cp: linearizable under partitions and kills.
  expect(checkerOf(cp, 'linearizable').valid).toBe(true);
  expect(cp.valid).toBe(true);
  expect(cp.summary.faults).toBeGreaterThan(0);
  // ap ran under the same faults and was judged by the same checkers. Whether its serializable reads happen
  // to land on a cut-off member after a newer write depends on timing, so this run does not have to show
  // a stale read: forcedStaleRead makes one certain.
  expect(ap.summary.faults).toBeGreaterThan(0);
  expect(ap.checkers.map((c: any) => c.checker)).toEqual(cp.checkers.map((c: any) => c.checker));
  expect(checkerOf(ap, 'register-anomalies').stats.staleReads).toBeGreaterThanOrEqual(0);
}

describeWithEnv('etcd on the netns runtime', ETCD, () => {
  it('cp stays linearizable under partitions and kills, and compare prints the table', () => {
    const store = tmpStore();
    const { out, cp, ap } = etcdCompare('netns', store);
    expectEtcdContrast(cp, ap);
    const table = readFileSync(join(out.dir, 'compare.txt'), 'utf8');
    // ap's column depends on whether timing produced a stale read; cp's does not.
    expect(table).toMatch(/linearizable\s+yes\s+\S+/);
    expect(table).toMatch(/stale reads/);
  });

  it('ap serves a stale read from a member cut off before a newer write, and the checker says so', () => forcedStaleRead('netns'));
});

describeWithEnv('etcd with inter-node latency on the netns runtime', ETCD, () => {
  it('latency between members slows commits by the set delay, and cp stays linearizable', () => etcdLatencyRun('netns'));
});

describeWithEnv('redis on the netns runtime', REDIS, () => {
  it('ap loses acknowledged writes under partition and failover; wait (same seed) loses none of its ok writes', () => {
    const store = tmpStore();
    const { out } = cliJson([
      'compare', '--target', 'redis', '--configs', 'ap,wait', '--nodes', '3', '--workload', 'set', '--keys', '3',
      '--time-limit', '24', '--nemesis', 'partition', '--nemesis-interval', '5', '--quiescence', '1',
      '--convergence-bound', '30', '--seed', '3', '--store', store,
    ]);
    const [ap, wait] = out.runs.map(results);
    expect(checkerOf(ap, 'set').stats.lostAcknowledged).toBeGreaterThan(0);
    expect(checkerOf(wait, 'set').stats.lostAcknowledged).toBe(0);
    const table = readFileSync(join(out.dir, 'compare.txt'), 'utf8');
    expect(table).toMatch(/lost writes/);
    expect(out.rows.map((r: any) => r.config)).toEqual(['ap', 'wait']);
  });
});

const docker = await checkDocker();
describeWithDocker('etcd and redis on the docker runtime', docker, () => {
  it('etcd cp stays linearizable under partitions and kills in containers, as on netns', () => {
    const { cp, ap } = etcdCompare('docker', tmpStore());
    expectEtcdContrast(cp, ap);
  });

  it('etcd ap serves a stale read from a member cut off before a newer write, and the checker says so', () => forcedStaleRead('docker'));

  it('etcd member latency works in containers too', () => etcdLatencyRun('docker'));

  it('redis ap loses acknowledged writes under partition and failover, and cleanup leaves nothing', () => {
    const store = tmpStore();
    const { out } = cliJson([
      'run', '--target', 'redis', '--config', 'ap', '--runtime', 'docker', '--nodes', '3', '--workload', 'set',
      '--keys', '3', '--time-limit', '24', '--nemesis', 'partition', '--nemesis-interval', '5', '--quiescence', '1',
      '--convergence-bound', '30', '--seed', '3', '--store', store,
    ]);
    expect(checkerOf(out.results, 'set').stats.lostAcknowledged).toBeGreaterThan(0);
    const c = cli(['cleanup', '--json']);
    expect(c.code).toBe(0);
    expect(c.stdout).not.toMatch(/container|network/);
  });
});
