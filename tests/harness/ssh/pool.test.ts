/**
 * The SSH connection pool against real sshd hosts (namespaces from the fixture): commands with stdin, reuse of
 * one connection, host key checking strict by default, and a host that drops off and comes back.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithEnv } from '../netns/env.js';
import { loadHosts, parseHosts } from '../../../harness/ssh/hosts.js';
import { HostUnreachable, SshPool } from '../../../harness/ssh/pool.js';
import { InputError } from '../../../histories/errors.js';
import { sshHosts, type SshHostsFixture } from './fixture.js';

describeWithEnv('ssh pool against sshd hosts', ['ip', 'sshd', 'ssh-keygen'], () => {
  let fx: SshHostsFixture;
  beforeAll(async () => {
    fx = await sshHosts(2);
  });
  afterAll(() => fx?.dispose());

  it('runs commands with stdin over one reused connection per host', async () => {
    const pool = new SshPool(loadHosts(fx.hostsFile));
    const h = pool.file.hosts[0];
    try {
      expect(await pool.run(h, 'cat', { input: 'hello\n' })).toBe('hello\n');
      // The host is the namespace: its only non-loopback address is the one the file names.
      expect(await pool.run(h, 'ip -4 -o addr show dev eth0')).toContain(fx.addresses[0]);
      // One TCP connection from us to the host's sshd carries many commands.
      const outs = await Promise.all(Array.from({ length: 8 }, () => pool.run(h, "ss -tn state established '( sport = :22 )' | tail -n +2 | wc -l")));
      for (const o of outs) expect(o.trim()).toBe('1');
      const r = await pool.exec(h, 'echo oops >&2; exit 3');
      expect(r.code).toBe(3);
      expect(r.stderr).toBe('oops\n');
    } finally {
      pool.close();
    }
  });

  it('reaches a host by its alias in an OpenSSH client config (HostName, User, Port, IdentityFile)', async () => {
    const dir = dirname(fx.hostsFile);
    const sshConfig = join(dir, 'ssh_config');
    writeFileSync(sshConfig, `Host db-*\n  User root\n  Port 22\nHost db-1\n  HostName ${fx.addresses[0]}\n  IdentityFile ${join(dir, 'no-such-key')}\n  IdentityFile ${join(dir, 'client_key')}\n`);
    const hostsFile = join(dir, 'alias-hosts.json');
    writeFileSync(hostsFile, JSON.stringify({ settings: { knownHosts: join(dir, 'known_hosts'), sshConfig }, hosts: [{ address: 'db-1', agent: false, dir: fx.dirs[0] }] }));
    const file = loadHosts(hostsFile);
    expect(file.hosts[0]).toMatchObject({ address: fx.addresses[0], nodeAddress: fx.addresses[0], user: 'root', port: 22, key: join(dir, 'client_key') });
    const pool = new SshPool(file);
    try {
      // Strict host key checking by the HostName, as ssh does.
      expect(await pool.run(file.hosts[0], 'ip -4 -o addr show dev eth0')).toContain(fx.addresses[0]);
    } finally {
      pool.close();
    }
  });

  it('refuses a host whose key is not in known_hosts, unless told to accept new ones', async () => {
    const file = loadHosts(fx.hostsFile);
    const empty = file.knownHosts + '.empty';
    writeFileSync(empty, '');
    const strict = new SshPool({ ...file, knownHosts: empty });
    await expect(strict.run(file.hosts[0], 'true')).rejects.toThrow(/not in .*known_hosts\.empty/);
    strict.close();
    // A wrong key for the address is refused even under accept-new.
    const wrong = file.knownHosts + '.wrong';
    const lines = readFileSync(file.knownHosts, 'utf8').trim().split('\n');
    writeFileSync(wrong, `${fx.addresses[0]} ${lines[1].split(' ').slice(1).join(' ')}\n`);
    const changed = new SshPool({ ...file, knownHosts: wrong, hostKeyChecking: 'accept-new' });
    await expect(changed.run(file.hosts[0], 'true')).rejects.toThrow(/does not match/);
    changed.close();
    const lenient = new SshPool({ ...file, knownHosts: empty, hostKeyChecking: 'accept-new' });
    expect(await lenient.run(file.hosts[0], 'echo ok')).toBe('ok\n');
    lenient.close();
    expect(readFileSync(empty, 'utf8')).toContain(fx.addresses[0]);
  });

  it('gives up on a host that stops answering, and reconnects once it is back', async () => {
    const file = loadHosts(fx.hostsFile);
    const pool = new SshPool({ ...file, commandTimeoutMs: 1500 });
    const h = file.hosts[1];
    try {
      expect(await pool.run(h, 'echo up')).toBe('up\n');
      fx.setReachable(1, false);
      await expect(pool.run(h, 'echo down')).rejects.toBeInstanceOf(HostUnreachable);
      fx.setReachable(1, true);
      await fx.waitReachable(1);
      expect(await pool.run(h, 'echo again')).toBe('again\n');
    } finally {
      fx.setReachable(1, true);
      pool.close();
    }
  });
});

it('refuses bad hosts files with the field at fault', () => {
  const bad = (text: string) => {
    try {
      parseHosts(text, 'hosts.yaml', {});
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      return (err as InputError).describe();
    }
    throw new Error('accepted');
  };
  expect(bad('hosts: [')).toMatch(/^hosts\.yaml: not YAML or JSON/);
  expect(bad('hosts: []')).toMatch(/hosts: .*1/);
  expect(bad('hosts:\n  - address: 10.0.0.1\n    port: 70000\n    key: k')).toMatch(/hosts\.0\.port/);
  expect(bad('hosts:\n  - address: 10.0.0.1\n    colour: red\n    key: k')).toMatch(/colour/);
  expect(bad('hosts:\n  - port: 22\n    key: k')).toMatch(/hosts\.0\.address: required/);
  expect(bad('hosts:\n  - address: 10.0.0.1')).toMatch(/no way to log in/);
  expect(bad('defaults: {key: k}\nhosts:\n  - address: 10.0.0.1\n  - address: 10.0.0.1')).toMatch(/each node needs its own host/);
  expect(bad('defaults: {key: k}\nhosts:\n  - {address: 10.0.0.1, bin: {etcd: "etcd; rm -rf /"}}')).toMatch(/hosts\.0\.bin\.etcd/);
  const ok = parseHosts('defaults: {key: ~/k, user: deploy}\nsettings: {hostKeyChecking: accept-new}\nhosts:\n  - address: a.example\n  - {address: 10.0.0.2, port: 2222, user: root}', '/etc/fl/hosts.yaml', {});
  expect(ok.hosts.map((h) => [h.address, h.user, h.port])).toEqual([['a.example', 'deploy', 22], ['10.0.0.2', 'root', 2222]]);
  expect(ok.hosts[0].key).toMatch(/\/k$/);
  expect(ok.hostKeyChecking).toBe('accept-new');
  // An OpenSSH client config: the hosts file's own fields win; what faultline cannot honour is refused by name.
  const work = mkdtempSync(join(tmpdir(), 'fl-sshconfig-'));
  try {
    const cfg = join(work, 'config');
    writeFileSync(join(work, 'id'), 'not really a key');
    writeFileSync(
      cfg,
      ['Host web', '  HostName 10.1.2.3', '  User deploy', '  Port 2200', `  IdentityFile ${join(work, 'id')}`, 'Host jumpy', '  ProxyJump bastion', 'Host tokens', '  IdentityFile ~/.ssh/id_%h', 'Host *', '  User fallback', ''].join('\n'),
    );
    const withCfg = (hosts: string) => parseHosts(`settings: {sshConfig: ${cfg}}\nhosts:\n${hosts}`, join(work, 'hosts.yaml'), {});
    expect(withCfg('  - {address: web}').hosts[0]).toMatchObject({ address: '10.1.2.3', user: 'deploy', port: 2200, key: join(work, 'id') });
    expect(withCfg('  - {address: web, user: root, port: 22, key: /k}').hosts[0]).toMatchObject({ address: '10.1.2.3', user: 'root', port: 22, key: '/k' });
    expect(withCfg('  - {address: 10.9.9.9, key: /k}').hosts[0]).toMatchObject({ address: '10.9.9.9', user: 'fallback' });
    expect(bad(`settings: {sshConfig: ${cfg}}\nhosts:\n  - {address: jumpy, key: /k}`)).toMatch(/hosts\.0 \(jumpy\): .* sets ProxyJump .* not support/);
    expect(bad(`settings: {sshConfig: ${cfg}}\nhosts:\n  - {address: tokens}`)).toMatch(/%-tokens/);
    expect(bad(`settings: {sshConfig: ${join(work, 'missing')}}\nhosts:\n  - {address: web, key: /k}`)).toMatch(/settings\.sshConfig: cannot read .*ENOENT/);
    // sshConfig: false reads none.
    expect(parseHosts(`settings: {sshConfig: false}\nhosts:\n  - {address: web, key: /k}`, join(work, 'hosts.yaml'), {}).hosts[0].address).toBe('web');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  // JSON is YAML too, and a bare list of hosts is accepted.
  expect(parseHosts('[{"address": "10.0.0.9", "key": "/k"}]', 'h.json', {}).hosts[0].address).toBe('10.0.0.9');
});
