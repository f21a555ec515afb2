/**
 * How the ssh runtime reads a host's answer about node->node latency, and which root qdiscs it will replace.
 * The scripts themselves run for real in runtime.test.ts (the proxy path: this kernel has no netem); here,
 * the decisions that pick netem or the proxies, and the teardown script run against this machine's tc.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { netemApplyScript, netemRemoveScript, nodeMajor, parseProbe, rootQdiscProblem, setProxyDelayScript } from '../../../harness/ssh/link-latency.js';

describe('ssh link latency', () => {
  it('reads the probe: netem, the device to each peer, root qdiscs, node', () => {
    const p = parseProbe(['netem yes', 'dev 10.0.0.3 eth0', 'root eth0 qdisc fq_codel 0: root refcnt 2 limit 10240p', 'dev 10.0.0.4 none', 'node /usr/bin/node v20.19.2', ''].join('\n'));
    expect(p.netem).toBe(true);
    expect([...p.devs]).toEqual([['10.0.0.3', 'eth0']]);
    expect(p.roots.get('eth0')).toMatch(/^qdisc fq_codel 0: root/);
    expect(p.node).toEqual({ path: '/usr/bin/node', version: 'v20.19.2' });
    expect(parseProbe('netem no\nnode none\n')).toEqual({ netem: false, devs: new Map(), roots: new Map(), node: null });
    expect(nodeMajor('v20.19.2')).toBe(20);
    expect(nodeMajor('garbage')).toBe(0);
  });

  it("replaces only a kernel default root qdisc or its own, never the host's", () => {
    expect(rootQdiscProblem('eth0', 'qdisc noqueue 0: root refcnt 2')).toBeNull();
    expect(rootQdiscProblem('eth0', 'qdisc mq 0: root')).toBeNull();
    expect(rootQdiscProblem('eth0', 'qdisc prio fa17: root refcnt 2 bands 4')).toBeNull();
    expect(rootQdiscProblem('eth0', 'qdisc htb 1: root refcnt 2 r2q 10')).toMatch(/host's own \(htb 1:\)/);
    expect(rootQdiscProblem('eth0', 'qdisc fq_codel 8001: root refcnt 2')).toMatch(/host's own/);
    expect(rootQdiscProblem('eth0', undefined)).toMatch(/could not be read/);
  });

  it('delays only packets to the peers, in a band of its own qdisc', () => {
    const s = netemApplyScript(new Map([['eth0', ['10.0.0.3', '10.0.0.4']]]), 80, 20).split('\n');
    expect(s).toContain('tc qdisc replace dev \'eth0\' root handle fa17: prio bands 4 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1');
    expect(s).toContain("tc qdisc replace dev 'eth0' parent fa17:4 handle fa18: netem delay 80ms 20ms");
    expect(s.filter((l) => l.includes('u32 match ip dst'))).toEqual([
      "tc filter add dev 'eth0' parent fa17: protocol ip prio 1 u32 match ip dst '10.0.0.3/32' flowid fa17:4",
      "tc filter add dev 'eth0' parent fa17: protocol ip prio 1 u32 match ip dst '10.0.0.4/32' flowid fa17:4",
    ]);
  });

  it('the removal script runs clean where there is no qdisc of ours', () => {
    // Against this machine's devices, read-only here (none carries fa17:): prints nothing, exits 0.
    expect(execFileSync('sh', ['-c', netemRemoveScript()], { encoding: 'utf8' })).toBe('');
  });

  it('a proxy delay is confirmed by its .applied file, else the script fails', () => {
    const s = setProxyDelayScript('/x/delay', 50, 0, 100);
    expect(s).toContain(`'{"latencyMs":50,"jitterMs":0}'`);
    expect(() => execFileSync('sh', ['-c', setProxyDelayScript('/nonexistent-dir/delay', 50, 0, 100)], { stdio: 'pipe' })).toThrow(/did not apply|exit|Command failed/);
  });
});
