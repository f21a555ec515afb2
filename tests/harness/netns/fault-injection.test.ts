/**
 * Fault injection into the harness on the netns runtime: seeded etcd runs, each hit at a seeded moment by
 * `kill -9` of the harness (its nodes, link proxies, namespaces and veths are orphaned) or by SIGINT to its
 * whole process group (a terminal Ctrl-C). Then `faultline cleanup --run ID` must leave nothing of the run:
 * no namespace, no root-namespace veth, no FAULTLINE-* rule in the root namespace (the node namespaces hold
 * the rest of the rules and go with them), no process, no state file or subnet reservation. A stored history
 * must still be re-checkable. Temp files are the suite's global teardown's to find (tests/global-setup.ts).
 *
 * No timing is asserted: wherever the signal lands (up, main, final reads, teardown, or after the end), the
 * same must hold. FAULTLINE_NETNS_FAULT_RUNS sets the count (default 4; the 10 were run by hand).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { expect, it } from 'vitest';
import { checkCommand } from '../../../harness/cli/commands/check.js';
import { cleanupCommand } from '../../../harness/cli/commands/cleanup.js';
import { runTag } from '../../../harness/netns/names.js';
import { DEFAULT_STATE_DIR } from '../../../harness/netns/state.js';
import { ROOT } from '../../paths.js';
import { tempDir } from '../../tmp.js';
import { inProcess } from '../cli/in-process.js';
import { describeWithEnv } from './env.js';
import { strikeRun, type Strike } from '../leftovers.js';

const RUNS = Number(process.env.FAULTLINE_NETNS_FAULT_RUNS ?? 4);
const AT_ONCE = 2;

interface Outcome {
  i: number;
  how: Strike;
  atMs: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The tail of the run's stderr, shown when the run ended in a way the test does not expect. */
  stderr: string;
}

const sh = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8' });
const namespaces = (): string[] => sh('ip', ['netns', 'list']).split('\n').map((l) => l.split(' ')[0]).filter(Boolean);
const rootLinks = (): string[] => sh('ip', ['-o', 'link', 'show']).split('\n').map((l) => l.split(':')[1]?.trim().split('@')[0] ?? '').filter(Boolean);
const rootRules = (): string[] => sh('iptables', ['-S']).split('\n').filter((l) => l.includes('FAULTLINE'));

/** Live processes whose command line or environment names this folder (a run's nodes and proxies). */
function processesNaming(dir: string): string[] {
  const out: string[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'latin1');
      if (cmd.includes(dir) || readFileSync(`/proc/${p}/environ`, 'latin1').includes(dir)) out.push(`${p} ${cmd.replace(/\0/g, ' ').slice(0, 120)}`);
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

/** The processes a run's state file records (read before cleanup, which removes the file). */
function recorded(tag: string): { pid: number; startTime: string; name: string }[] {
  const file = join(DEFAULT_STATE_DIR, `${tag}.json`);
  if (!existsSync(file)) return [];
  return (JSON.parse(readFileSync(file, 'utf8')) as { procs: { pid: number; startTime: string; name: string }[] }).procs;
}

/** Those of them still alive: same PID and start time, and not a zombie awaiting its reaper. */
function stillAlive(procs: { pid: number; startTime: string; name: string }[]): string[] {
  return procs
    .filter((p) => {
      try {
        const stat = readFileSync(`/proc/${p.pid}/stat`, 'latin1');
        const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return rest[19] === p.startTime && rest[0] !== 'Z';
      } catch {
        return false;
      }
    })
    .map((p) => `${p.pid} ${p.name}`);
}

function oneRun(root: string, i: number): Promise<Outcome> {
  const rng = seedrandom(`netns-fault-${i}`);
  const how: Strike = i % 2 === 0 ? 'SIGKILL' : 'SIGINT';
  // Anywhere from namespace setup to after the final reads of a 3 s run (etcd takes a few seconds to come up).
  const atMs = Math.round(500 + rng() * 11_500);
  const store = join(root, `store-${i}`);
  const args = ['bin/faultline.js', 'run', '--target', 'etcd', '--config', 'cp', '--runtime', 'netns', '--nodes', '3', '--time-limit', '3', '--nemesis', 'partition,kill', '--nemesis-interval', '1', '--quiescence', '0.5', '--op-timeout', '1', '--convergence-bound', '2', '--seed', `nf${i}`, '--store', store, '--no-progress', '--json'];
  return strikeRun(ROOT, args, how, atMs).then((end) => ({ i, how, atMs, ...end }));
}

describeWithEnv('kill -9 and Ctrl-C at random moments of seeded runs (netns)', ['etcd', 'ip', 'iptables'], () => {
  it(`${RUNS} etcd runs: cleanup leaves no namespace, veth, rule, process or state file; histories re-check`, async () => {
    const root = tempDir('faultline-netns-faults-');
    const rulesBefore = new Set(rootRules());
    const outcomes: Outcome[] = [];
    for (let i = 0; i < RUNS; i += AT_ONCE) {
      outcomes.push(...(await Promise.all(Array.from({ length: Math.min(AT_ONCE, RUNS - i) }, (_, j) => oneRun(root, i + j)))));
    }
    for (const o of outcomes) {
      if (o.how === 'SIGINT') expect(o.signal === 'SIGINT' || [0, 1, 2, 130].includes(o.code ?? -1), JSON.stringify(o)).toBe(true);
      else expect(o.signal === 'SIGKILL' || [0, 1, 2].includes(o.code ?? -1), JSON.stringify(o)).toBe(true);
    }

    let cleaned = 0;
    for (const o of outcomes) {
      const store = join(root, `store-${o.i}`);
      const testDir = join(store, 'etcd-cp-register');
      if (!existsSync(testDir)) continue;
      for (const id of readdirSync(testDir)) {
        if (id === 'latest' || id.startsWith('.')) continue;
        const dir = join(testDir, id);
        const tag = runTag(id);
        const procs = recorded(tag);
        const r = await inProcess(() => cleanupCommand({ run: id }));
        expect(r.code, r.stdout + r.stderr).toBe(0);
        cleaned++;
        const what = `${JSON.stringify(o)} ${dir}`;
        expect(namespaces().filter((n) => n.includes(`-${tag}-`)), `namespaces after cleanup: ${what}`).toEqual([]);
        expect(rootLinks().filter((l) => l.includes(tag)), `veths after cleanup: ${what}`).toEqual([]);
        expect(stillAlive(procs), `recorded processes after cleanup: ${what}`).toEqual([]);
        expect(processesNaming(store), `processes after cleanup: ${what}`).toEqual([]);
        expect(existsSync(join(DEFAULT_STATE_DIR, `${tag}.json`)), `state file after cleanup: ${what}`).toBe(false);
        const locks = existsSync(DEFAULT_STATE_DIR) ? readdirSync(DEFAULT_STATE_DIR).filter((f) => f.startsWith('subnet-')) : [];
        expect(locks.filter((f) => readFileSync(join(DEFAULT_STATE_DIR, f), 'utf8').trim() === tag), `subnet reservations: ${what}`).toEqual([]);
        const files = readdirSync(dir);
        if (!files.some((f) => f.startsWith('history.jsonl'))) continue;
        const c = await inProcess(() => checkCommand([dir], { progress: false, workers: '1', timeout: '20' }));
        if (c.code === 254) expect(c.stdout + c.stderr, dir).toMatch(/empty|no history/);
        else expect([0, 1, 2], `${dir}: ${c.stdout}${c.stderr}`).toContain(c.code);
      }
    }
    // Rules live in the runs' own namespaces; the root namespace must hold no FAULTLINE rule it did not before.
    expect(rootRules().filter((l) => !rulesBefore.has(l))).toEqual([]);
    const killed = outcomes.filter((o) => o.signal === 'SIGKILL').length;
    const interrupted = outcomes.filter((o) => o.code === 130).length;
    console.log(
      `netns fault injection: ${RUNS} runs (${cleaned} had a run folder), ${killed} killed -9, ${interrupted} interrupted (130), ` +
        `${RUNS - killed - interrupted} other (${outcomes.filter((o) => o.signal !== 'SIGKILL' && o.code !== 130).map((o) => o.signal ?? o.code).join(',')}); leftovers after cleanup: 0`,
    );
  }, 300_000);
});
