/**
 * PostgreSQL on the ssh runtime, as a user runs it: `faultline run --target postgres --runtime ssh --hosts FILE`
 * against sshd "hosts" (the ssh tests' fixture namespaces). A short async set run with the primary partitioned:
 * it completes, every node answers its final read from its own copy, the version is the hosts' own server's,
 * each node's log is copied into the run's nodes/, and nothing is left on the hosts.
 */
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithEnv } from '../../harness/netns/env.js';
import { cli } from '../../harness/cli/helpers.js';
import { cliJson, tmpStore } from '../../harness/run/run-helpers.js';
import { readJsonl } from '../../../histories/jsonl-reader.js';
import { historyFile } from '../../../histories/store.js';
import { expectNothingLeft, useSshHosts } from '../../harness/ssh/fixture.js';
import { PG_POSTGRES } from '../../../targets/postgres/launch.js';

describeWithEnv('postgres on the ssh runtime', ['ip', 'sshd', 'ssh-keygen', 'iptables', 'setpriv', PG_POSTGRES], () => {
  const hosts = useSshHosts();

  it('refuses hosts whose folder the postgres user cannot enter, before touching them (254)', async () => {
    const { fx, pool } = hosts;
    // The fixture's folder is a mkdtemp one (mode 700): exactly what a host's dir: must not be.
    const top = dirname(dirname(fx.dirs[0]));
    expect(statSync(top).mode & 0o001).toBe(0);
    const { code, stderr } = cli(['run', '--target', 'postgres', '--runtime', 'ssh', '--hosts', fx.hostsFile, '--time-limit', '1', '--no-progress', '--store', tmpStore()]);
    expect(code).toBe(254);
    expect(stderr).toMatch(/postgres user cannot enter .*chmod o\+x/);
    await expectNothingLeft(fx, pool);
  }, 120_000);

  it('runs an async set workload with the primary partitioned, reads each replica, and leaves the hosts clean', async () => {
    const { fx, pool } = hosts;
    chmodSync(dirname(dirname(fx.dirs[0])), 0o711);
    const { code, out, stderr } = cliJson([
      'run', '--target', 'postgres', '--runtime', 'ssh', '--hosts', fx.hostsFile, '--config', 'async', '--workload', 'set', '--time-limit', '4',
      '--nemesis', 'partition-primary', '--nemesis-interval', '1', '--quiescence', '1', '--seed', '1', '--store', tmpStore(),
    ]);
    // A lost acknowledged write is async's finding (1), not a harness failure.
    expect([0, 1], stderr).toContain(code);
    const { ops: history } = await readJsonl(historyFile(out.dir));
    expect(history.filter((op: any) => op.process !== 'nemesis' && op.f === 'add' && op.type === 'ok').length).toBeGreaterThan(5);
    // The partition window started, aimed at the primary of that moment.
    const start = history.find((op: any) => op.f === 'start-partition');
    expect((start?.value as { aim?: string } | undefined)?.aim).toBe('primary');
    // Every node answered a final read from its own copy.
    const finals = history.filter((op: any) => op.f === 'final-read' && op.type === 'ok');
    expect(new Set(finals.map((op: any) => op.node))).toEqual(new Set(['n1', 'n2', 'n3']));
    const run = JSON.parse(readFileSync(join(out.dir, 'run.json'), 'utf8'));
    expect(run.versions.postgres).toMatch(/^\d+\.\d+/);
    for (const n of ['n1', 'n2', 'n3']) expect(existsSync(join(out.dir, 'nodes', `${n}.log`))).toBe(true);
    await expectNothingLeft(fx, pool);
  }, 180_000);
});
