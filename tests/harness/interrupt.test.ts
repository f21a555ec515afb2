/**
 * Ctrl-C in every phase of a run: the run stops cleanly, is stored as `interrupted` (never `done`, never
 * judged), and leaves no node running. A Ctrl-C at a terminal is a SIGINT to the whole process group, so the
 * nodes must not be in the harness's group: they are the harness's to stop, or their death would look like a
 * fault and could change the verdict.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTest, type Phase } from '../../harness/controller.js';
import { loadTarget } from '../../targets/index.js';
import { NodeProcess } from '../../harness/sim/node-process.js';
import type { RunConfig } from '../../histories/run-record.js';
import { ROOT } from '../paths.js';
import { tempDir } from '../tmp.js';
import { processesUnder } from './leftovers.js';

const config = (seed: string): RunConfig => ({
  target: 'builtin',
  config: 'lww',
  runtime: 'sim',
  nodes: 3,
  workload: 'register',
  keys: 2,
  concurrency: 2,
  timeLimit: 1,
  nemesis: ['partition'],
  nemesisInterval: 0.4,
  opTimeout: 0.5,
  quiescence: 0.3,
  convergenceBound: 2,
  maxOps: 100_000,
  seed,
});

function storedStatus(store: string): string[] {
  const out: string[] = [];
  for (const test of readdirSync(store)) {
    for (const id of readdirSync(join(store, test))) {
      if (id === 'latest') continue;
      out.push(JSON.parse(readFileSync(join(store, test, id, 'run.json'), 'utf8')).status);
    }
  }
  return out;
}

describe('Ctrl-C during a run', () => {
  const phases: Phase[] = ['up', 'healthy', 'main', 'heal', 'quiescence', 'final-reads', 'teardown', 'check'];
  for (const [i, at] of phases.entries()) {
    it(`in ${at}: the run stops, is stored as interrupted, and no node is left`, async () => {
      const store = tempDir('faultline-intr-');
      const ac = new AbortController();
      const c = config(String(i));
      const run = runTest({
        target: await loadTarget(c.target),
        config: c,
        store,
        signal: ac.signal,
        observer: { phase: (p) => p === at && ac.abort() },
      });
      await expect(run).rejects.toThrow(/interrupted/);
      expect(storedStatus(store)).toEqual(['interrupted']);
      expect(processesUnder(store)).toEqual([]);
    });
  }
});

describe('nodes and the terminal', () => {
  it('a node leads its own process group, so a Ctrl-C to the harness group does not reach it', async () => {
    const dir = tempDir('faultline-pgrp-');
    const proc = new NodeProcess({
      node: 'n1',
      command: 'sleep',
      args: ['30'],
      env: process.env,
      logPath: join(dir, 'n1.log'),
      onLine: () => undefined,
      onExit: () => undefined,
    });
    try {
      // /proc/PID/stat: "pid (comm) state ppid pgrp ..."
      const stat = readFileSync(`/proc/${proc.pid}/stat`, 'utf8');
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      expect(pgrp).toBe(proc.pid);
    } finally {
      proc.signal('SIGKILL');
      await proc.closed(5000);
    }
  });

  it('faultline run: SIGINT to its whole process group exits 130, stores the run as interrupted, leaves no node', async () => {
    const store = tempDir('faultline-intr-cli-');
    const args = ['bin/faultline.js', 'run', '--config', 'lww', '--nodes', '3', '--time-limit', '20', '--nemesis', 'partition', '--seed', '5', '--store', store, '--no-progress'];
    // detached: the CLI leads a group of its own, as a shell's foreground job does.
    const child = spawn(process.execPath, args, { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
        if (stderr.includes('[main]') && !stderr.includes('interrupted')) {
          setTimeout(() => process.kill(-child.pid!, 'SIGINT'), 500);
          stderr += '(sent)';
        }
      });
      child.stdout.resume();
      child.on('exit', (c) => resolve(c));
    });
    expect(code, stderr).toBe(130);
    expect(storedStatus(store)).toEqual(['interrupted']);
    expect(processesUnder(store)).toEqual([]);
  });
});
