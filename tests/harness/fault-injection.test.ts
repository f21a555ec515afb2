/**
 * Fault injection into the harness itself: seeded short runs on the sim runtime, each hit at a seeded random
 * moment by `kill -9` (the harness alone dies; its nodes are orphaned) or by SIGINT to its whole process
 * group (a Ctrl-C). Then `faultline cleanup` for the run must leave nothing: no node process, no state file.
 * Every stored history must still be re-checkable. FAULTLINE_FAULT_RUNS sets the count (default 50).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCommand } from '../../harness/cli/commands/check.js';
import { cleanupCommand } from '../../harness/cli/commands/cleanup.js';
import { ROOT } from '../paths.js';
import { tempDir } from '../tmp.js';
import { inProcess } from './cli/in-process.js';
import { processesUnder, strikeRun, type Strike } from './leftovers.js';

const RUNS = Number(process.env.FAULTLINE_FAULT_RUNS ?? 50);
const AT_ONCE = 5;

interface Outcome {
  seed: string;
  how: Strike;
  atMs: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The tail of the run's stderr, shown when the run ended in a way the test does not expect. */
  stderr: string;
}

let root: string;
let state: string;
const savedState = process.env.FAULTLINE_STATE_DIR;
beforeAll(() => {
  root = tempDir('faultline-faults-');
  state = join(root, 'state');
  // Ledgers of these runs live here, so cleanup and the leftover check see only this suite's runs.
  process.env.FAULTLINE_STATE_DIR = state;
});
afterAll(() => {
  if (savedState === undefined) delete process.env.FAULTLINE_STATE_DIR;
  else process.env.FAULTLINE_STATE_DIR = savedState;
});

function oneRun(i: number): Promise<Outcome> {
  const seed = `fault-${i}`;
  const rng = seedrandom(seed);
  const how: Strike = rng() < 0.5 ? 'SIGKILL' : 'SIGINT';
  const atMs = Math.round(200 + rng() * 5500);
  const store = join(root, `store-${i}`);
  const args = ['bin/faultline.js', 'run', '--config', i % 2 ? 'lww' : 'raft', '--nodes', '3', '--time-limit', '2', '--nemesis', 'partition,kill', '--nemesis-interval', '0.5', '--quiescence', '0.5', '--op-timeout', '0.5', '--convergence-bound', '2', '--seed', seed, '--store', store, '--no-progress', '--json'];
  return strikeRun(ROOT, args, how, atMs, { ...process.env, FAULTLINE_STATE_DIR: state }).then((end) => ({ seed, how, atMs, ...end }));
}

describe('kill -9 and Ctrl-C at random moments of seeded runs (sim)', () => {
  it(`${RUNS} runs: cleanup leaves no process and no state file, and every stored history is re-checkable`, async () => {
    const outcomes: Outcome[] = [];
    for (let i = 0; i < RUNS; i += AT_ONCE) {
      outcomes.push(...(await Promise.all(Array.from({ length: Math.min(AT_ONCE, RUNS - i) }, (_, j) => oneRun(i + j)))));
    }
    // A Ctrl-C ends a run with 130 unless the run was already over (its verdict); kill -9 leaves no code.
    for (const o of outcomes) {
      // (In its first few hundred ms the CLI is still loading and has no handler yet: SIGINT ends it as it
      // ends any program, before it has made anything; cleanup below still has to find nothing.)
      if (o.how === 'SIGINT') expect(o.signal === 'SIGINT' || [0, 1, 2, 130].includes(o.code ?? -1), JSON.stringify(o)).toBe(true);
      else expect(o.signal === 'SIGKILL' || [0, 1, 2].includes(o.code ?? -1), JSON.stringify(o)).toBe(true);
    }

    for (let i = 0; i < RUNS; i++) {
      const store = join(root, `store-${i}`);
      if (!existsSync(store)) continue;
      for (const test of readdirSync(store)) {
        for (const id of readdirSync(join(store, test))) {
          if (id === 'latest') continue;
          const dir = join(store, test, id);
          const cleaned = await inProcess(() => cleanupCommand({ run: id }));
          expect(cleaned.code).toBe(0);
          expect(processesUnder(dir), `${dir} after cleanup`).toEqual([]);
          const files = readdirSync(dir);
          if (!files.some((f) => f.startsWith('history.jsonl'))) continue;
          const r = await inProcess(() => checkCommand([dir], { progress: false, workers: '1', timeout: '20' }));
          // A run killed before its first op stored an empty history: refused as empty, which is right.
          if (r.code === 254) expect(r.stdout + r.stderr, dir).toMatch(/empty|no history/);
          else expect([0, 1, 2], `${dir}: ${r.stdout}${r.stderr}`).toContain(r.code);
        }
      }
    }
    const sim = join(state, 'sim');
    expect(existsSync(sim) ? readdirSync(sim) : [], 'state files after cleanup').toEqual([]);
    expect(processesUnder(root)).toEqual([]);
    const killed = outcomes.filter((o) => o.signal === 'SIGKILL').length;
    const interrupted = outcomes.filter((o) => o.code === 130).length;
    const early = outcomes.filter((o) => o.signal === 'SIGINT').length;
    console.log(`fault injection: ${RUNS} runs, ${killed} killed -9, ${interrupted} interrupted (130), ${early} Ctrl-C before the handler, ${RUNS - killed - interrupted - early} finished first; leftovers after cleanup: 0`);
  }, 600_000);
});
