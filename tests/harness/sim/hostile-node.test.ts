/**
 * Nodes that break the protocol on stdout: a line that never ends, or more output than any run needs. The
 * harness holds bounded memory, cuts the node off by name, and the run ends `unknown` with the reason: never a
 * crash, never "invalid", and no state file left behind.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, STACK } from '../cli/helpers.js';
import { tempDir } from '../../tmp.js';
import { eventually, FIXTURES, Scope } from './helpers.js';

const scope = new Scope();
afterEach(async () => {
  await scope.cleanup();
});

describe('a node that breaks the stdout protocol', () => {
  it('an endless line: the node is cut off at the line bound and named', async () => {
    const rt = scope.fixture('endless-line.mjs', 2, { maxLineChars: 1 << 20 });
    await rt.start();
    const breaches = await eventually('a breach', async () => (rt.protocolBreaches().length === 2 ? rt.protocolBreaches() : undefined));
    expect(breaches.sort()).toEqual([
      'node n1 wrote a stdout line longer than 1048576 characters (no newline)',
      'node n2 wrote a stdout line longer than 1048576 characters (no newline)',
    ]);
    await eventually('nodes dead', async () => (!rt.isRunning('n1') && !rt.isRunning('n2') ? true : undefined));
  });

  it('too much output in total: cut off at the output bound, even with well-formed lines', async () => {
    const rt = scope.fixture('flood.mjs', 2, { maxOutputChars: 200_000 });
    await rt.start();
    await rt.request('n1', { type: 'flood', peer: 'n2', count: 50_000 }, 20_000).catch(() => undefined);
    expect(rt.protocolBreaches()).toEqual(['node n1 wrote more than 200000 characters on stdout']);
    expect(rt.isRunning('n1')).toBe(false);
    expect(rt.isRunning('n2')).toBe(true);
  });

  it('faultline run against an endless-line node ends unknown (exit 2) naming the node, no crash, no state file', () => {
    const store = tempDir('faultline-endless-');
    const state = join(store, 'state');
    const r = spawnSync(
      process.execPath,
      ['bin/faultline.js', 'run', '--target', 'maelstrom', '--bin', join(FIXTURES, 'endless-line.mjs'), '--workload', 'lin-kv', '--nodes', '2', '--time-limit', '2', '--quiescence', '0', '--convergence-bound', '1', '--nemesis', 'none', '--store', store, '--no-progress'],
      { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1', FAULTLINE_STATE_DIR: state } },
    );
    expect(r.status, r.stdout + r.stderr).toBe(2);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/unknown: a node broke the protocol .*node n\d wrote a stdout line longer than/);
    expect(out).not.toMatch(STACK);
    expect(out).not.toMatch(/INVALID/);
    const sim = join(state, 'sim');
    expect(existsSync(sim) ? readdirSync(sim) : []).toEqual([]);
  });

  it('a node that breaks the protocol mid-run ends the main phase early: unknown (exit 2), named, not at the time limit', () => {
    const store = tempDir('faultline-late-endless-');
    const state = join(store, 'state');
    const r = spawnSync(
      process.execPath,
      ['bin/faultline.js', 'run', '--target', 'maelstrom', '--bin', join(FIXTURES, 'late-endless-line.mjs'), '--workload', 'lin-kv', '--nodes', '2', '--time-limit', '300', '--quiescence', '0', '--convergence-bound', '1', '--nemesis', 'none', '--store', store, '--no-progress'],
      { cwd: ROOT, encoding: 'utf8', timeout: 240_000, env: { ...process.env, NO_COLOR: '1', FAULTLINE_STATE_DIR: state } },
    );
    const out = r.stdout + r.stderr;
    expect(r.status, out).toBe(2);
    expect(out).toMatch(/unknown: a node broke the protocol .*node n\d wrote a stdout line longer than/);
    expect(out).toMatch(/phase (main|heal|quiescence)/);
    expect(out).not.toMatch(STACK);
    expect(out).not.toMatch(/INVALID/);
    // No wall-clock bound is asserted: the run must say it stopped in main (or the heal/quiescence just after),
    // which it can only do when it did not sit out the 300 s time limit (the test would time out first).
    const meta = JSON.parse(readFileSync(join(store, 'maelstrom-default-lin-kv', 'latest', 'run.json'), 'utf8')) as { status: string; error: string };
    expect(meta.status).toBe('failed');
    expect(meta.error).toMatch(/stopped in phase (main|heal|quiescence)/);
    expect(existsSync(join(state, 'sim')) ? readdirSync(join(state, 'sim')) : []).toEqual([]);
  });
});
