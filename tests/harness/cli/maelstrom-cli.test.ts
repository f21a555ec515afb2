// Maelstrom's command-line habits: `faultline test -w ... --bin ...` with Maelstrom's defaults and names,
// network statistics in results.json, and targets that fail the run when missed.
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { addRunOptions, resolveConfig, type RunFlags } from '../../../harness/cli/commands/run.js';
import { rerunArgs } from '../../../harness/cli/rerun.js';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { ROOT } from '../../paths.js';
import { cli } from './helpers.js';
import { checkerOf, cliJson, tmpStore } from '../run/run-helpers.js';

const FIX = join(ROOT, 'tests', 'fixtures', 'maelstrom');

async function runConfig(args: string[]) {
  const cmd = addRunOptions(new Command('run')).exitOverride();
  cmd.parse(args, { from: 'user' });
  return resolveConfig(cmd.opts() as RunFlags);
}

describe('faultline run --target maelstrom', () => {
  const bin = join(FIX, 'echo.mjs');
  it("drives a node at Maelstrom's 5 ops/s unless --rate says otherwise; other targets stay unlimited", async () => {
    expect((await runConfig(['--target', 'maelstrom', '--bin', bin, '-w', 'echo'])).rate).toBe(5);
    expect((await runConfig(['--target', 'maelstrom', '--bin', bin, '-w', 'echo', '--rate', '40'])).rate).toBe(40);
    const unlimited = await runConfig(['--target', 'maelstrom', '--bin', bin, '-w', 'echo', '--rate', 'unlimited']);
    expect(unlimited.rate).toBeUndefined();
    // The rerun command keeps "no limit": left out, --rate would come back as 5.
    expect(await runConfig(rerunArgs(unlimited))).toEqual(unlimited);
    expect((await runConfig([])).rate).toBeUndefined();
  });

  it("takes Maelstrom's --concurrency 2n: two clients per node", async () => {
    expect((await runConfig(['--target', 'maelstrom', '--bin', bin, '-w', 'echo', '--node-count', '3', '--concurrency', '2n'])).concurrency).toBe(6);
    await expect(runConfig(['--concurrency', 'n2'])).rejects.toThrow(/--concurrency must be a whole number/);
  });

  it("takes Maelstrom's --availability: total is every op, a number a share; it survives the rerun command", async () => {
    const total = await runConfig(['--target', 'maelstrom', '--bin', bin, '-w', 'echo', '--availability', 'total']);
    expect(total.availability).toBe(1);
    expect(await runConfig(rerunArgs(total))).toEqual(total);
    const share = await runConfig(['--target', 'maelstrom', '--bin', bin, '-w', 'echo', '--availability', '0.9']);
    expect(await runConfig(rerunArgs(share))).toEqual(share);
    await expect(runConfig(['--availability', '1.5'])).rejects.toThrow(/--availability must be total or a share of ops above 0 and at most 1, got "1.5"/);
    await expect(runConfig(['--availability', 'most'])).rejects.toThrow(/--availability must be total/);
  });

  it('set-like workloads default to 100 ops/s (whole-set reads grow the history with the square of the ops); --rate still wins', async () => {
    expect((await runConfig(['-w', 'set'])).rate).toBe(100);
    expect((await runConfig(['-w', 'broadcast', '--config', 'gossip'])).rate).toBe(100);
    expect((await runConfig(['-w', 'set', '--rate', 'unlimited'])).rate).toBeUndefined();
    expect((await runConfig(['-w', 'set', '--rate', '2000'])).rate).toBe(2000);
    expect((await runConfig(['--target', 'maelstrom', '--bin', bin, '-w', 'set'])).rate).toBe(5);
    expect((await runConfig(['-w', 'register'])).rate).toBeUndefined();
  });

  it('refuses a rate that is not a positive number', async () => {
    await expect(runConfig(['--target', 'maelstrom', '--bin', bin, '-w', 'echo', '--rate', '0'])).rejects.toThrow(/--rate must be above 0 ops per second, or unlimited/);
    await expect(runConfig(['--rate', 'fast'])).rejects.toThrow(/--rate must be a number/);
  });
});

describe('faultline test (Maelstrom habits)', () => {
  it("is run --target maelstrom with Maelstrom's defaults: no faults, 5 ops/s, a client per node", () => {
    const store = tmpStore();
    const r = cliJson(['test', '-w', 'echo', '--bin', join(FIX, 'echo.mjs'), '--node-count', '2', '--time-limit', '2', '--store', store]);
    expect(r.code).toBe(0);
    const meta = JSON.parse(readFileSync(join(r.out.dir, 'run.json'), 'utf8'));
    expect(meta.config).toMatchObject({ target: 'maelstrom', workload: 'echo', nodes: 2, concurrency: 2, rate: 5, nemesis: [], nemesisInterval: 10 });
    expect(r.out.results.summary.net.messages.clients).toBeGreaterThan(0);
    expect(r.out.results.summary.net.msgsPerOp).toBe(0);
  });

  it('--latency delays every link; a missed --max-msgs-per-op fails the run; stats reach results.json', () => {
    const store = tmpStore();
    const r = cliJson(['test', '-w', 'broadcast', '--bin', join(FIX, 'broadcast.mjs'), '--node-count', '5', '--topology', 'line', '--latency', '50', '--rate', '50', '--time-limit', '3', '--max-msgs-per-op', '0.5', '--store', store]);
    expect(r.code).toBe(1);
    const targets = checkerOf(r.out.results, 'net-targets');
    expect(targets.valid).toBe(false);
    expect(targets.anomalies[0].kind).toBe('too-many-messages');
    expect(checkerOf(r.out.results, 'set').valid).toBe(true);
    const net = JSON.parse(readFileSync(join(r.out.dir, 'results.json'), 'utf8')).summary.net;
    expect(net.msgsPerOp).toBeGreaterThan(0.5);
    // Client to node and back: two links of 50 ms at least.
    expect(net.opLatencyMs.p0).toBeGreaterThanOrEqual(95); // timers may fire a ms early
    expect(net.stableLatencyMs.count).toBeGreaterThan(0);
  });

  it('refuses options that do not apply, with exit 254', () => {
    const r = cli(['test', '-w', 'lin-kv', '--bin', join(FIX, 'lin-kv.mjs'), '--topology', 'grid']);
    expect(r.code).toBe(254);
    expect(r.stderr).toMatch(/--topology applies to the broadcast workload only/);
  });
});
