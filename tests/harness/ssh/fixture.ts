/** The ssh tests' hosts: namespaces running sshd (bench/ssh-hosts.ts, shared with the ssh benchmark), and the check that a run left nothing on them. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { SshPool } from '../../../harness/ssh/pool.js';
import type { SshHostsFixture } from '../../../bench/ssh-hosts.js';

export { sshHosts, type SshHostsFixture } from '../../../bench/ssh-hosts.js';

/** Nothing of faultline on any host: no run folder, no FAULTLINE chain. */
export async function expectNothingLeft(fx: SshHostsFixture, pool: SshPool): Promise<void> {
  for (const [i, h] of pool.file.hosts.entries()) {
    expect(await pool.run(h, '{ iptables -S; iptables -t nat -S; } | grep -c FAULTLINE; true')).toBe('0\n');
    const runs = join(fx.dirs[i], 'runs');
    expect(existsSync(runs) ? readdirSync(runs) : []).toEqual([]);
  }
}
