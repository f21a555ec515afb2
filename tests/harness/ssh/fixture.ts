/** The ssh tests' hosts: namespaces running sshd (bench/ssh-hosts.ts, shared with the ssh benchmark), and the check that a run left nothing on them. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { loadHosts } from '../../../harness/ssh/hosts.js';
import { SshPool } from '../../../harness/ssh/pool.js';
import { sshHosts, type SshHostsFixture } from '../../../bench/ssh-hosts.js';

export { sshHosts, type SshHostsFixture } from '../../../bench/ssh-hosts.js';

/** Nothing of faultline on any host: no run folder, no FAULTLINE chain. */
export async function expectNothingLeft(fx: SshHostsFixture, pool: SshPool): Promise<void> {
  for (const [i, h] of pool.file.hosts.entries()) {
    expect(await pool.run(h, '{ iptables -S; iptables -t nat -S; } | grep -c FAULTLINE; true')).toBe('0\n');
    const runs = join(fx.dirs[i], 'runs');
    expect(existsSync(runs) ? readdirSync(runs) : []).toEqual([]);
  }
}

/**
 * Three hosts for the tests of one describe block, made before them and closed and removed after them, pass or
 * fail; their command timeouts allow for a machine at load 20. Read `fx` and `pool` inside the tests.
 */
export function useSshHosts(): { readonly fx: SshHostsFixture; readonly pool: SshPool } {
  const live = {} as { fx: SshHostsFixture; pool: SshPool };
  beforeAll(async () => {
    live.fx = await sshHosts(3, { settings: { commandTimeoutMs: 10_000, retryForMs: 3000 } });
    live.pool = new SshPool(loadHosts(live.fx.hostsFile));
  });
  afterAll(() => {
    live.pool?.close();
    live.fx?.dispose();
  });
  return live;
}
