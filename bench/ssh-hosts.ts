/**
 * SSH "hosts" for the ssh runtime's tests and its benchmark (bench/ssh.ts): each host is a network namespace this fixture creates, on a bridge
 * in a hub namespace of its own (a bridge in the root namespace would be subject to the root's FORWARD
 * policy, which a Docker engine sets to DROP) that this machine reaches through one veth, running Debian's openssh-server with a host key and a client key made for the test
 * and an sshd_config of its own. The fixture (and only the fixture) enters the namespaces, to start sshd;
 * everything the runtime does goes over SSH to the hosts' addresses.
 *
 * dispose() ends each sshd by PID (its process group, which holds the sessions and what they started) and
 * removes the namespaces and the bridge, pass or fail. The hosts share this machine's filesystem, so each
 * gets its own folder (the hosts file's `dir`) for run folders and pidfiles.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { sleep } from '../harness/time.js';

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
  /** Resolve once host i accepts TCP connections on port 22 again (neighbour entries take a moment). */
  waitReachable(i: number, timeoutMs?: number): Promise<void>;
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

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 1000 });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });
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
  const dir = mkdtempSync(join(tmpdir(), 'faultline-ssh-'));
  const subnet = freeSubnet();
  const hub = `fs${tag}hub`;
  const bridge = 'br0';
  const rootVeth = `fs${tag}r`;
  const namespaces: string[] = [];
  const hostLinks: string[] = [];
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
    quiet('ip', ['link', 'del', rootVeth]);
    quiet('ip', ['netns', 'del', hub]);
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
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // sshd wants its privilege separation folder (Debian's package makes it at boot).
    if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'faultline-test', '-f', join(dir, 'client_key')]);
    const clientPub = readFileSync(join(dir, 'client_key.pub'), 'utf8');
    sh('ip', ['netns', 'add', hub]);
    sh('ip', ['-n', hub, 'link', 'add', bridge, 'type', 'bridge']);
    sh('ip', ['-n', hub, 'link', 'set', bridge, 'up']);
    sh('ip', ['link', 'add', rootVeth, 'type', 'veth', 'peer', 'name', 'up0', 'netns', hub]);
    sh('ip', ['-n', hub, 'link', 'set', 'up0', 'master', bridge, 'up']);
    sh('ip', ['addr', 'add', `${subnet}.1/24`, 'dev', rootVeth]);
    sh('ip', ['link', 'set', rootVeth, 'up']);
    const known: string[] = [];
    for (let i = 0; i < count; i++) {
      const ns = `fs${tag}h${i}`;
      const veth = `h${i}`;
      const addr = `${subnet}.${i + 2}`;
      sh('ip', ['netns', 'add', ns]);
      namespaces.push(ns);
      sh('ip', ['-n', hub, 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      hostLinks.push(veth);
      sh('ip', ['-n', hub, 'link', 'set', veth, 'master', bridge, 'up']);
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
      setReachable: (i, up) => sh('ip', ['-n', hub, 'link', 'set', hostLinks[i], up ? 'up' : 'down']),
      waitReachable: async (i, timeoutMs = 15_000) => {
        const deadline = Date.now() + timeoutMs;
        while (!(await canConnect(addresses[i], 22))) {
          if (Date.now() > deadline) throw new Error(`host ${addresses[i]} still unreachable after ${timeoutMs} ms`);
          await sleep(200);
        }
      },
      dispose,
    };
  } catch (err) {
    dispose();
    throw err;
  }
}
