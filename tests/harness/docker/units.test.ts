/** Parts of the docker runtime that need no engine: names, subnets, rule text, engine lookup, quiet cleanup. */
import { describe, expect, it } from 'vitest';
import { cleanupDocker } from '../../../harness/docker/cleanup.js';
import { connectEngine, containerIsLocal, engineAnswers, engineOptions } from '../../../harness/docker/engine.js';
import { withTimeout } from '../../../harness/time.js';
import { candidateSubnets, containerName, networkName, parseSubnet, prefixesOverlap, validateNodes } from '../../../harness/docker/names.js';
import { DockerRuntime } from '../../../harness/docker/runtime.js';
import { InputError } from '../../../histories/errors.js';

const NOWHERE = { socketPath: '/nonexistent/faultline-test.sock' };

describe('docker names and subnets', () => {
  it('derives docker-legal names that differ between runs', () => {
    expect(networkName('run 1/with:odd chars')).toMatch(/^faultline-[a-zA-Z0-9][a-zA-Z0-9_.-]*$/);
    expect(networkName('a')).not.toBe(networkName('b'));
    expect(containerName('a', 'n1')).not.toBe(containerName('b', 'n1'));
    expect(containerName('a', 'n1')).toMatch(/^faultline-[0-9a-f]{8}-n1$/);
  });

  it('rejects node names a container name cannot hold, and duplicates', () => {
    expect(() => validateNodes(['n1', 'n 2'])).toThrow(InputError);
    expect(() => validateNodes(['n1', 'n1'])).toThrow(/duplicate/);
    expect(() => validateNodes([])).toThrow(InputError);
    expect(() => validateNodes(['n1', 'n2'])).not.toThrow();
  });

  it('tells overlapping prefixes apart', () => {
    expect(prefixesOverlap('10.214.7.0/24', '10.214.7.0/24')).toBe(true);
    expect(prefixesOverlap('10.0.0.0/8', '10.214.7.0/24')).toBe(true);
    expect(prefixesOverlap('10.214.7.5', '10.214.7.0/24')).toBe(true);
    expect(prefixesOverlap('10.214.8.0/24', '10.214.7.0/24')).toBe(false);
    expect(prefixesOverlap('172.17.0.0/16', '10.214.7.0/24')).toBe(false);
  });

  it('offers distinct private candidates and accepts only private subnets', () => {
    const c = candidateSubnets('some-run');
    expect(new Set(c).size).toBe(c.length);
    expect(c.every((s) => /^10\.214\.\d+$/.test(s))).toBe(true);
    expect(parseSubnet('10.214.7.0/24')).toBe('10.214.7');
    expect(() => parseSubnet('8.8.8.0/24')).toThrow(InputError);
    expect(() => parseSubnet('nonsense')).toThrow(InputError);
  });
});

describe('docker engine lookup', () => {
  it('reads DOCKER_HOST as the docker CLI does: unix, tcp, tcp with TLS, ssh', () => {
    const saved = process.env.DOCKER_HOST;
    const savedTls = process.env.DOCKER_TLS_VERIFY;
    // Building a client connects to nothing, so these addresses are never contacted.
    const modem = () => (connectEngine().docker as unknown as { modem: Record<string, unknown> }).modem;
    try {
      process.env.DOCKER_HOST = 'unix:///run/x.sock';
      expect(engineOptions()).toEqual({ socketPath: '/run/x.sock' });
      process.env.DOCKER_HOST = 'tcp://127.0.0.1:2999';
      expect(modem()).toMatchObject({ host: '127.0.0.1', port: '2999', protocol: 'http' });
      expect(connectEngine().url).toBe('tcp://127.0.0.1:2999');
      process.env.DOCKER_TLS_VERIFY = '1';
      expect(modem()).toMatchObject({ host: '127.0.0.1', protocol: 'https' });
      delete process.env.DOCKER_TLS_VERIFY;
      process.env.DOCKER_HOST = 'ssh://ops@engine.example.invalid:2222';
      expect(modem()).toMatchObject({ host: 'engine.example.invalid', port: '2222', protocol: 'ssh', username: 'ops' });
      expect(connectEngine().url).toBe('ssh://ops@engine.example.invalid:2222');
      process.env.DOCKER_HOST = 'tcp://[not an address';
      expect(() => engineOptions()).toThrow(InputError);
    } finally {
      if (savedTls === undefined) delete process.env.DOCKER_TLS_VERIFY;
      else process.env.DOCKER_TLS_VERIFY = savedTls;
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });

  it('tells a container of this machine from a PID that is not one (an engine elsewhere)', () => {
    // This test process is no container: its cgroup names no container id.
    expect(containerIsLocal(process.pid, 'f'.repeat(64))).toBe(false);
    expect(containerIsLocal(0, 'f'.repeat(64))).toBe(false);
    expect(containerIsLocal(process.pid, '')).toBe(false);
  });

  it('says clearly when no engine answers, and cleanup then quietly finds nothing', async () => {
    const r = await engineAnswers(NOWHERE, 2000);
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/dockerd\.sh start/);
    expect(await cleanupDocker(undefined, NOWHERE)).toEqual([]);
    expect(await cleanupDocker('some-run', NOWHERE)).toEqual([]);
  });

  it('start() fails with the engine named when none answers; teardown after it is harmless', async () => {
    const rt = new DockerRuntime({ runId: 'no-engine', nodes: ['n1'], image: 'x', launch: () => ({ command: '/bin/true', args: [] }), dataDir: '/tmp/fl-none', logDir: '/tmp/fl-none', docker: NOWHERE });
    await expect(rt.start()).rejects.toThrow(/no Docker engine answers at unix:\/\/\/nonexistent/);
    await rt.teardown();
  });

  it('bounds a call that never settles', async () => {
    await expect(withTimeout(new Promise(() => undefined), 50, 'a hung call')).rejects.toThrow(/a hung call did not finish/);
  });

  it('rejects bad link faults and clock skew before touching anything', async () => {
    const rt = new DockerRuntime({ runId: 'x', nodes: ['n1'], image: 'x', launch: () => ({ command: '/bin/true', args: [] }), dataDir: '/tmp/fl-none', logDir: '/tmp/fl-none', docker: NOWHERE });
    await expect(rt.clockSkew('n1', 5)).rejects.toThrow(/not supported/);
    await expect(rt.clockSkew('n9', 5)).rejects.toThrow(InputError);
    expect(() => rt.addressOf('n1')).toThrow(/not started/);
  });
});
