import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cleanup } from '../../../harness/netns/cleanup.js';
import { listRules } from '../../../harness/kernel/firewall.js';
import { parseSubnet, runTag } from '../../../harness/netns/names.js';
import { procExe, procState } from '../../../harness/kernel/procs.js';
import type { Launcher } from '../../../harness/kernel/runtime.js';
import { run } from '../../../harness/kernel/shell.js';
import { NetnsRuntime } from '../../../harness/netns/runtime.js';
import { listNamespaces, listRootLinks } from '../../../harness/netns/shell.js';
import { DEFAULT_STATE_DIR, statePath } from '../../../harness/netns/state.js';
import { UnsupportedFault } from '../../../harness/runtime.js';
import { describeWithEnv } from './env.js';
import { greet, PROBE_SERVER, TCP_PORT, tcpFromNs, UDP_PORT, udpFromNs, type Greeting } from './probes.js';

const NODES = ['n1', 'n2', 'n3'];

function probeLauncher(clock: 'faketime' | 'none'): Launcher {
  return (node, ctx) => ({ command: process.execPath, args: [PROBE_SERVER, node, ctx.addr, String(TCP_PORT), String(UDP_PORT)], clock });
}

/** Poll (bounded) until the server at host:port greets: a node is "up" once exec'd, not once listening. */
async function waitGreet(host: string, port: number): Promise<Greeting> {
  let g: Greeting | string = 'never tried';
  for (let i = 0; i < 150; i++) {
    g = await greet(host, port);
    if (typeof g !== 'string') return g;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${host}:${port} never answered: ${g}`);
}

function greeting(g: Greeting | string): Greeting {
  if (typeof g === 'string') throw new Error(`expected a greeting, got ${g}`);
  return g;
}

it('rejects subnets that are not a private /24', () => {
  expect(parseSubnet('10.213.7.0/24')).toBe('10.213.7');
  expect(parseSubnet('192.168.3')).toBe('192.168.3');
  expect(() => parseSubnet('8.8.8.0/24')).toThrow(/private range/);
  expect(() => parseSubnet('10.213.300.0')).toThrow(/look like/);
});

describeWithEnv('netns runtime', ['ip', 'iptables', 'iptables-restore', 'timeout', 'bash'], () => {
  let rt: NetnsRuntime;
  let work: string;
  const runId = `rt-test-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'fl-netns-'));
    rt = new NetnsRuntime({
      runId,
      nodes: NODES,
      launch: probeLauncher('faketime'),
      dataDir: join(work, 'data'),
      logDir: join(work, 'logs'),
      proxyPorts: [TCP_PORT],
    });
    await rt.start();
    for (const n of NODES) await waitGreet(rt.addressOf(n), TCP_PORT);
  });

  afterAll(async () => {
    await rt?.teardown();
    if (work && !process.env.FL_KEEP_WORK) rmSync(work, { recursive: true, force: true });
  });

  it('brings up namespaces, the bridge and a reachable server in each node namespace', async () => {
    const nss = await listNamespaces();
    for (const ns of rt.namespaces) expect(nss).toContain(ns);
    for (const ns of rt.namespaces) expect(ns.length).toBeLessThanOrEqual(15);
    expect(await listRootLinks()).toContain(rt.rootLinks[0]);
    expect(rt.rootLinks[0].length).toBeLessThanOrEqual(15);
    const lo = await run('ip', ['-n', rt.namespaceOf('n2'), 'link', 'show', 'lo']);
    expect(lo).toMatch(/UP/);
    expect(existsSync(statePath(DEFAULT_STATE_DIR, runTag(runId)))).toBe(true);
    for (const n of NODES) {
      const g = greeting(await greet(rt.addressOf(n), TCP_PORT));
      expect(g.name).toBe(n);
      // Through the loopback proxy as well.
      const via = rt.nodeAddress(n, TCP_PORT);
      expect(via.host).toBe('127.0.0.1');
      expect(greeting(await greet(via.host, via.port!)).name).toBe(n);
    }
  });

  it('records the target process itself (ip netns exec execs), not ip', () => {
    for (const n of NODES) {
      const [pid] = rt.pidsOf(n);
      expect(procExe(pid)).toBe(process.execPath);
    }
    const state = JSON.parse(readFileSync(statePath(DEFAULT_STATE_DIR, runTag(runId)), 'utf8'));
    expect(state.procs.map((p: { pid: number }) => p.pid).sort()).toEqual(NODES.flatMap((n) => rt.pidsOf(n)).sort());
  });

  it('partition blocks node<->node traffic across the cut, heal restores it', async () => {
    const [a1, a2, a3] = NODES.map((n) => rt.addressOf(n));
    const ns = (n: string) => rt.namespaceOf(n);
    expect(await tcpFromNs(ns('n1'), a2, TCP_PORT)).toBe(true);
    await rt.partition({ n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] });
    const [n1to2, n2to1, n2to3] = await Promise.all([
      tcpFromNs(ns('n1'), a2, TCP_PORT),
      tcpFromNs(ns('n2'), a1, TCP_PORT),
      tcpFromNs(ns('n2'), a3, TCP_PORT),
    ]);
    expect(n1to2).toBe(false);
    expect(n2to1).toBe(false);
    expect(n2to3).toBe(true);
    // Clients outside the cluster still reach the isolated node.
    expect(greeting(await greet(a1, TCP_PORT)).name).toBe('n1');
    await rt.heal();
    expect(await tcpFromNs(ns('n1'), a2, TCP_PORT)).toBe(true);
    expect(await listRules(rt, 'n1')).not.toContainEqual(expect.stringContaining('DROP'));
  });

  it('a one-way partition drops only one direction', async () => {
    const [a1, a2] = ['n1', 'n2'].map((n) => rt.addressOf(n));
    // n1 drops what n2 sends; n2 still hears n1. UDP shows direction without TCP's round trip.
    await rt.partition({ n1: ['n2'] });
    expect((await listRules(rt, 'n2')).some((r) => r.includes('DROP'))).toBe(false);
    const before1 = greeting(await greet(a1, TCP_PORT)).udp;
    const before2 = greeting(await greet(a2, TCP_PORT)).udp;
    await udpFromNs(rt.namespaceOf('n2'), a1, UDP_PORT, 5);
    await udpFromNs(rt.namespaceOf('n1'), a2, UDP_PORT, 5);
    // Bounded wait for the datagrams that should arrive.
    let after2 = before2;
    for (let i = 0; i < 50 && after2 < before2 + 5; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after2 = greeting(await greet(a2, TCP_PORT)).udp;
    }
    expect(after2).toBe(before2 + 5);
    expect(greeting(await greet(a1, TCP_PORT)).udp).toBe(before1);
    await rt.heal();
  });

  it('loss installs statistic DROP rules on inter-node links and removes them', async () => {
    await rt.setLinkFaults({ loss: 0.25 });
    const rules = await listRules(rt, 'n3');
    const lossRules = rules.filter((r) => r.includes('statistic'));
    expect(lossRules).toHaveLength(2);
    expect(lossRules.every((r) => /--probability 0\.2[45]/.test(r))).toBe(true);
    await rt.setLinkFaults(null);
    expect((await listRules(rt, 'n3')).filter((r) => r.includes('statistic'))).toHaveLength(0);
  });

  it('inter-node latency without netem is UnsupportedFault; client latency goes through the proxy', async () => {
    if (!rt.hasNetem) await expect(rt.setLinkFaults({ latencyMs: 50 })).rejects.toBeInstanceOf(UnsupportedFault);
    await expect(rt.setLinkFaults({ duplicate: 0.1 })).rejects.toBeInstanceOf(UnsupportedFault);
    const via = rt.nodeAddress('n1', TCP_PORT);
    await rt.setClientLatency({ latencyMs: 150 });
    const t0 = Date.now();
    expect(greeting(await greet(via.host, via.port!, 10_000)).name).toBe('n1');
    // A lower bound only: the greeting crosses the proxy at least once, delayed by at least the latency.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    await rt.setClientLatency(null);
  });

  it('kill, restart, pause and resume act on the real process', async () => {
    const addr = rt.addressOf('n2');
    const [oldPid] = rt.pidsOf('n2');
    await rt.kill('n2');
    expect(rt.pidsOf('n2')).toEqual([]);
    // Gone, or a zombie until Node reaps it.
    expect([null, 'Z']).toContain(procState(oldPid));
    expect(['ECONNREFUSED', 'ECONNRESET']).toContain(await greet(addr, TCP_PORT));
    await rt.restart('n2');
    const [newPid] = rt.pidsOf('n2');
    expect(newPid).not.toBe(oldPid);
    expect((await waitGreet(addr, TCP_PORT)).name).toBe('n2');

    await rt.pause('n2');
    // Signals arrive asynchronously; wait (bounded) for the stop to show.
    for (let i = 0; i < 100 && procState(newPid) !== 'T'; i++) await new Promise((r) => setTimeout(r, 20));
    expect(procState(newPid)).toBe('T');
    // The kernel still accepts the connection, but a stopped process never answers.
    expect(await greet(addr, TCP_PORT, 1500)).toBe('timeout');
    await rt.resume('n2');
    expect(greeting(await greet(addr, TCP_PORT, 10_000)).name).toBe('n2');
  });

  it('clock skew moves the wall clock of a faketime node', async () => {
    await rt.clockSkew('n3', 3_600_000);
    let skew = 0;
    for (let i = 0; i < 60 && skew < 3_000_000; i++) {
      await new Promise((r) => setTimeout(r, 100));
      skew = greeting(await greet(rt.addressOf('n3'), TCP_PORT)).now - Date.now();
    }
    expect(skew).toBeGreaterThan(3_500_000);
    expect(skew).toBeLessThan(3_700_000);
    await rt.clockSkew('n3', 0);
  });
});

describeWithEnv('netns teardown and crash cleanup', ['ip', 'iptables', 'iptables-restore'], () => {
  async function startSmall(runId: string, clock: 'faketime' | 'none') {
    const work = mkdtempSync(join(tmpdir(), 'fl-netns-'));
    const rt = new NetnsRuntime({ runId, nodes: ['n1', 'n2'], launch: probeLauncher(clock), dataDir: join(work, 'd'), logDir: join(work, 'l') });
    await rt.start();
    return { rt, work };
  }

  async function expectNothingLeft(rt: NetnsRuntime, pids: number[]) {
    const nss = await listNamespaces();
    for (const ns of rt.namespaces) expect(nss).not.toContain(ns);
    expect(await listRootLinks()).not.toContain(rt.rootLinks[0]);
    for (const pid of pids) expect([null, 'Z']).toContain(procState(pid));
    expect(existsSync(statePath(DEFAULT_STATE_DIR, rt.tag))).toBe(false);
    const routes = await run('ip', ['-4', 'route', 'show']);
    expect(routes).not.toContain(rt.rootLinks[0]);
  }

  it('teardown removes namespaces, links, rules and processes, and is idempotent', async () => {
    const { rt, work } = await startSmall(`td-${process.pid}-${Date.now()}`, 'none');
    try {
      await rt.partition({ n1: ['n2'] });
      const pids = ['n1', 'n2'].flatMap((n) => rt.pidsOf(n));
      expect(pids).toHaveLength(2);
      await expect(rt.clockSkew('n1', 1000)).rejects.toBeInstanceOf(UnsupportedFault);
      await rt.teardown();
      await rt.teardown();
      await expectNothingLeft(rt, pids);
    } finally {
      await rt.teardown();
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('cleanup(runId) removes what a run that never tore down left behind', async () => {
    const runId = `crash-${process.pid}-${Date.now()}`;
    const { rt, work } = await startSmall(runId, 'none');
    const pids = ['n1', 'n2'].flatMap((n) => rt.pidsOf(n));
    try {
      await rt.setLinkFaults({ loss: 0.5 });
      // Drop the runtime as a crashed harness would: only the state file and the kernel objects remain.
      const removed = await cleanup(runId);
      expect(removed).toContain(`netns ${rt.hubNamespace}`);
      expect(removed.filter((r) => r.startsWith('process '))).toHaveLength(2);
      await expectNothingLeft(rt, pids);
      expect(await cleanup(runId)).toEqual([]);
    } finally {
      await rt.teardown();
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describeWithEnv('netns cleanup after the harness process dies', ['ip', 'iptables', 'iptables-restore', 'sleep'], () => {
  // A separate harness process (the compiled runtime from dist/) starts a run and then dies.
  const runtimeJs = new URL('../../../dist/harness/netns/runtime.js', import.meta.url).href;

  function childScript(end: 'exit' | 'hang'): string {
    return `
      const { NetnsRuntime } = await import(${JSON.stringify(runtimeJs)});
      const rt = new NetnsRuntime({
        runId: process.argv[1], nodes: ['n1', 'n2'], dataDir: process.argv[2] + '/d', logDir: process.argv[2] + '/l',
        launch: () => ({ command: 'sleep', args: ['300'] }),
      });
      await rt.start();
      await rt.partition({ n1: ['n2'] });
      console.log(JSON.stringify({ namespaces: rt.namespaces, link: rt.rootLinks[0], pids: ['n1', 'n2'].flatMap((n) => rt.pidsOf(n)) }));
      ${end === 'exit' ? 'process.exit(3);' : 'setInterval(() => {}, 1000);'}
    `;
  }

  async function runChild(end: 'exit' | 'hang', runId: string, work: string) {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['--input-type=module', '-e', childScript(end), runId, work], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child never reported: ${err}`)), 30_000);
      child.stdout.on('data', () => {
        if (out.includes('\n')) {
          clearTimeout(timer);
          resolve(out.split('\n')[0]);
        }
      });
      child.on('exit', () => {
        if (!out.includes('\n')) {
          clearTimeout(timer);
          reject(new Error(`child exited early: ${err}`));
        }
      });
    });
    return { child, info: JSON.parse(line) as { namespaces: string[]; link: string; pids: number[] } };
  }

  async function expectGone(info: { namespaces: string[]; link: string; pids: number[] }) {
    const nss = await listNamespaces();
    for (const ns of info.namespaces) expect(nss).not.toContain(ns);
    expect(await listRootLinks()).not.toContain(info.link);
    for (const pid of info.pids) expect([null, 'Z']).toContain(procState(pid));
  }

  it("the 'exit' hook tears down a run whose harness exits without teardown", async () => {
    const work = mkdtempSync(join(tmpdir(), 'fl-netns-exit-'));
    try {
      const { child, info } = await runChild('exit', `exit-${process.pid}-${Date.now()}`, work);
      expect(info.pids).toHaveLength(2);
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.on('exit', r)));
      await expectGone(info);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('cleanup() with no run id removes runs whose harness was SIGKILLed, and spares live ones', async () => {
    const work = mkdtempSync(join(tmpdir(), 'fl-netns-kill-'));
    const live = new NetnsRuntime({ runId: `live-${process.pid}-${Date.now()}`, nodes: ['n1'], launch: () => ({ command: 'sleep', args: ['300'] }), dataDir: join(work, 'ld'), logDir: join(work, 'll') });
    try {
      await live.start();
      const { child, info } = await runChild('hang', `killed-${process.pid}-${Date.now()}`, work);
      child.kill('SIGKILL');
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.on('exit', r)));
      // The dead harness's processes are orphans now; its namespaces are still there.
      expect(await listNamespaces()).toContain(info.namespaces[0]);
      const removed = await cleanup();
      expect(removed).toContain(`link ${info.link}`);
      await expectGone(info);
      // This process's own run is alive, so it was left alone.
      expect(await listNamespaces()).toContain(live.hubNamespace);
      expect(live.pidsOf('n1')).toHaveLength(1);
    } finally {
      await live.teardown();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
