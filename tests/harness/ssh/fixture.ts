/**
 * SSH "hosts" for the ssh runtime's tests: each host is a network namespace this fixture creates, on a bridge
 * in the root namespace, running Debian's openssh-server with a host key and a client key made for the test
 * and an sshd_config of its own. The fixture (and only the fixture) enters the namespaces, to start sshd;
 * everything the runtime does goes over SSH to the hosts' addresses.
 *
 * dispose() ends each sshd by PID (its process group, which holds the sessions and what they started) and
 * removes the namespaces and the bridge, pass or fail. The hosts share this machine's filesystem, so each
 * gets its own folder (the hosts file's `dir`) for run folders and pidfiles.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { tempDir } from '../../tmp.js';
import { sleep } from '../../../harness/time.js';

export interface SshHostsFixture {
  /** The hosts file (YAML) the runtime and the CLI take. */
  hostsFile: string;
  addresses: string[];
  /** Per-host folders (`dir` in the hosts file). */
  dirs: string[];
  sshdPids: number[];
  namespaces: string[];
  /** Cut a host off the network (its link goes down) or bring it back. */
  setReachable(i: number, up: boolean): void;
  dispose(): void;
}

function sh(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', input, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
}

function quiet(cmd: string, args: string[]): void {
  try {
    sh(cmd, args);
  } catch {
    // already gone
  }
}

function freeSubnet(): string {
  const routes = sh('ip', ['-4', 'route', 'show']);
  for (let k = 0; k < 200; k++) {
    const s = `10.214.${1 + ((randomBytes(1)[0] + k) % 250)}`;
    if (!routes.includes(`${s}.`)) return s;
  }
  throw new Error('no free 10.214.X.0/24 for the ssh fixture');
}

export async function sshHosts(count: number, extra: { settings?: Record<string, unknown>; defaults?: Record<string, unknown> } = {}): Promise<SshHostsFixture> {
  const tag = randomBytes(2).toString('hex');
  const dir = tempDir('faultline-ssh-');
  const subnet = freeSubnet();
  const bridge = `fs${tag}br`;
  const namespaces: string[] = [];
  const rootLinks: string[] = [];
  const sshdPids: number[] = [];
  const dirs: string[] = [];
  const addresses: string[] = [];
  const dispose = () => {
    for (const pid of sshdPids) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    for (const l of rootLinks) quiet('ip', ['link', 'del', l]);
    quiet('ip', ['link', 'del', bridge]);
    for (const ns of namespaces) {
      // What a session started in the namespace (a node, a supervisor) dies with it, by PID.
      let pids: string[] = [];
      try {
        pids = sh('ip', ['netns', 'pids', ns]).split('\n').filter(Boolean);
      } catch {
        // no namespace
      }
      for (const p of pids) {
        try {
          process.kill(Number(p), 'SIGKILL');
        } catch {
          // gone
        }
      }
      quiet('ip', ['netns', 'del', ns]);
    }
  };
  try {
    // sshd wants its privilege separation folder (Debian's package makes it at boot).
    if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'faultline-test', '-f', join(dir, 'client_key')]);
    const clientPub = readFileSync(join(dir, 'client_key.pub'), 'utf8');
    sh('ip', ['link', 'add', bridge, 'type', 'bridge']);
    sh('ip', ['addr', 'add', `${subnet}.1/24`, 'dev', bridge]);
    sh('ip', ['link', 'set', bridge, 'up']);
    const known: string[] = [];
    for (let i = 0; i < count; i++) {
      const ns = `fs${tag}h${i}`;
      const veth = `fs${tag}v${i}`;
      const addr = `${subnet}.${i + 2}`;
      sh('ip', ['netns', 'add', ns]);
      namespaces.push(ns);
      sh('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      rootLinks.push(veth);
      sh('ip', ['link', 'set', veth, 'master', bridge, 'up']);
      sh('ip', ['-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0']);
      sh('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
      sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      const hd = join(dir, `host${i + 1}`);
      mkdirSync(hd, { recursive: true });
      sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `host${i + 1}`, '-f', join(hd, 'host_key')]);
      writeFileSync(join(hd, 'authorized_keys'), clientPub, { mode: 0o600 });
      writeFileSync(
        join(hd, 'sshd_config'),
        [
          `ListenAddress ${addr}`,
          'Port 22',
          `HostKey ${join(hd, 'host_key')}`,
          `PidFile ${join(hd, 'sshd.pid')}`,
          `AuthorizedKeysFile ${join(hd, 'authorized_keys')}`,
          'PermitRootLogin prohibit-password',
          'PasswordAuthentication no',
          'KbdInteractiveAuthentication no',
          'UsePAM no',
          'StrictModes no',
          'MaxSessions 100',
          'MaxStartups 100',
          'LogLevel ERROR',
          '',
        ].join('\n'),
      );
      const hostPub = readFileSync(join(hd, 'host_key.pub'), 'utf8').trim().split(/\s+/);
      known.push(`${addr} ${hostPub[0]} ${hostPub[1]}`);
      const child = spawn('ip', ['netns', 'exec', ns, '/usr/sbin/sshd', '-D', '-e', '-f', join(hd, 'sshd_config')], {
        detached: true,
        stdio: ['ignore', 'ignore', 'ignore'],
      });
      child.unref();
      if (child.pid === undefined) throw new Error('sshd did not start');
      sshdPids.push(child.pid);
      dirs.push(join(hd, 'root'));
      addresses.push(addr);
    }
    writeFileSync(join(dir, 'known_hosts'), known.join('\n') + '\n');
    const hostsFile = join(dir, 'hosts.yaml');
    writeFileSync(
      hostsFile,
      JSON.stringify(
        {
          defaults: { user: 'root', key: join(dir, 'client_key'), agent: false, ...extra.defaults },
          settings: { knownHosts: join(dir, 'known_hosts'), connectTimeoutMs: 3000, commandTimeoutMs: 15_000, retryForMs: 4000, ...extra.settings },
          hosts: addresses.map((address, i) => ({ address, dir: dirs[i] })),
        },
        null,
        2,
      ),
    );
    // Wait until every sshd listens.
    for (const [i, ns] of namespaces.entries()) {
      for (let t = 0; ; t++) {
        const ss = sh('ip', ['netns', 'exec', ns, 'ss', '-ltn']);
        if (ss.includes(`${addresses[i]}:22`)) break;
        if (t > 100) throw new Error(`sshd in ${ns} did not listen within 5 s`);
        await sleep(50);
      }
    }
    return {
      hostsFile,
      addresses,
      dirs,
      sshdPids,
      namespaces,
      setReachable: (i, up) => sh('ip', ['link', 'set', rootLinks[i], up ? 'up' : 'down']),
      dispose,
    };
  } catch (err) {
    dispose();
    throw err;
  }
}
