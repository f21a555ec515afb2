/**
 * Node->node latency without netem: proxies in the node namespaces on the target's peer ports. Timings are
 * measured from inside a node namespace with a wide margin (500 ms of delay against a 300 ms baseline bound),
 * so a loaded machine does not flip the verdicts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreScript } from '../../../harness/kernel/iptables.js';
import { LINK_CHAIN, linkRoutes, PROXY_GID, redirectRuleSet } from '../../../harness/kernel/link-latency.js';
import { isSameProcessAlive, procStartTime } from '../../../harness/kernel/procs.js';
import { NetnsRuntime } from '../../../harness/netns/runtime.js';
import { run } from '../../../harness/kernel/shell.js';
import { listNamespaces } from '../../../harness/netns/shell.js';
import { describeWithEnv } from './env.js';
import { greet, PROBE_SERVER, TCP_PORT, UDP_PORT } from './probes.js';

const NODES = ['n1', 'n2', 'n3'];

describe('link latency rules', () => {
  it('give each (peer, port) its own loopback port and skip the proxy group', () => {
    const routes = linkRoutes(['10.1.1.3', '10.1.1.4'], [2380, 2379]);
    expect(routes.map((r) => r.listenPort)).toEqual([41000, 41001, 41002, 41003]);
    expect(routes[3]).toEqual({ listenPort: 41003, host: '10.1.1.4', port: 2379 });
    const rules = restoreScript([redirectRuleSet(routes)]).split('\n');
    expect(rules[0]).toBe('*nat');
    expect(rules).toContain(`-A OUTPUT -j ${LINK_CHAIN}`);
    expect(rules.filter((l) => l.includes('REDIRECT'))).toHaveLength(4);
    for (const l of rules.filter((x) => x.includes('REDIRECT'))) expect(l).toContain(`! --gid-owner ${PROXY_GID}`);
  });
});

/** Milliseconds from connecting to n->addr:port (from inside `ns`) until the greeting arrives, or null. */
async function greetMsFromNs(ns: string, addr: string, port: number, timeoutMs = 2500): Promise<number | null> {
  const script = `
    const net = require('node:net');
    const t0 = performance.now();
    const s = net.connect(${port}, '${addr}');
    const give = (v) => { console.log(v); process.exit(0); };
    setTimeout(() => give('timeout'), ${timeoutMs});
    s.once('data', () => give(String(Math.round(performance.now() - t0))));
    s.on('error', (e) => give('error ' + e.code));`;
  const out = (await run('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { timeoutMs: timeoutMs + 10_000 })).trim();
  return /^\d+$/.test(out) ? Number(out) : null;
}

describeWithEnv('node->node latency through link proxies (netns)', ['ip', 'iptables', 'iptables-restore', 'setpriv'], () => {
  let rt: NetnsRuntime;
  let work: string;
  const runId = `lat-test-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'fl-linklat-'));
    rt = new NetnsRuntime({
      runId,
      nodes: NODES,
      launch: (node, ctx) => ({ command: process.execPath, args: [PROBE_SERVER, node, ctx.addr, String(TCP_PORT), String(UDP_PORT)] }),
      dataDir: join(work, 'data'),
      logDir: join(work, 'logs'),
      peerPorts: [TCP_PORT],
      proxyPorts: [TCP_PORT],
      seed: '5',
    });
    await rt.start();
    for (const n of NODES) {
      for (let i = 0; i < 100 && typeof (await greet(rt.addressOf(n), TCP_PORT)) === 'string'; i++) await new Promise((r) => setTimeout(r, 100));
    }
  });

  afterAll(async () => {
    await rt?.teardown();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('delays node links and client links by the set latency (as netem on the nodes would), and stops when cleared', async () => {
    if (rt.hasNetem) return; // netem does the delaying on kernels that have it
    const n1 = rt.namespaceOf('n1');
    const a2 = rt.addressOf('n2');
    const before = await greetMsFromNs(n1, a2, TCP_PORT);
    expect(before).not.toBeNull();
    expect(before!).toBeLessThan(300);

    await rt.setLinkFaults({ latencyMs: 500 });
    const slow = await greetMsFromNs(n1, a2, TCP_PORT);
    expect(slow).not.toBeNull();
    expect(slow!).toBeGreaterThanOrEqual(480);
    // Clients reach the node through their proxy, which the same fault slows...
    const via = rt.nodeAddress('n2', TCP_PORT);
    let t0 = performance.now();
    expect(typeof (await greet(via.host, via.port!))).toBe('object');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(480);
    // ...while a connection that goes round both proxies is not delayed: the delay is the proxies' doing.
    t0 = performance.now();
    expect(typeof (await greet(a2, TCP_PORT))).toBe('object');
    expect(performance.now() - t0).toBeLessThan(300);

    await rt.setLinkFaults(null);
    const after = await greetMsFromNs(n1, a2, TCP_PORT);
    expect(after).not.toBeNull();
    expect(after!).toBeLessThan(300);
    t0 = performance.now();
    expect(typeof (await greet(via.host, via.port!))).toBe('object');
    expect(performance.now() - t0).toBeLessThan(300);
  });

  it('partitions still cut a proxied link (the proxy speaks from the node\'s own address)', async () => {
    const n1 = rt.namespaceOf('n1');
    const [a2, a3] = ['n2', 'n3'].map((n) => rt.addressOf(n));
    await rt.partition({ n2: ['n1'], n1: ['n2'] });
    expect(await greetMsFromNs(n1, a2, TCP_PORT, 1500)).toBeNull();
    expect(await greetMsFromNs(n1, a3, TCP_PORT)).not.toBeNull();
    await rt.heal();
    expect(await greetMsFromNs(n1, a2, TCP_PORT)).not.toBeNull();
  });

  it('teardown ends the proxies and removes the namespaces', async () => {
    const ns = rt.namespaces;
    const pids = await Promise.all(NODES.map((n) => run('ip', ['netns', 'pids', rt.namespaceOf(n)])));
    const refs = pids.flatMap((p) => p.trim().split('\n').filter(Boolean).map(Number)).map((pid) => ({ pid, startTime: procStartTime(pid) ?? '' }));
    expect(refs.length).toBeGreaterThan(NODES.length); // node processes and their proxies
    expect(refs.filter((r) => isSameProcessAlive(r))).toHaveLength(refs.length);
    await rt.teardown();
    const left = await listNamespaces();
    for (const n of ns) expect(left).not.toContain(n);
    for (const r of refs) expect(isSameProcessAlive(r)).toBe(false);
  });
});
