/**
 * Real runs of the built-in targets on the simulated network, through the CLI as a user runs them.
 * Short time limits keep the suite quick; the detection-rate figure over 10 seeds lives in the notes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { tempDir } from '../../tmp.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT } from '../cli/helpers.js';
import { readContent } from '../../../histories/compressed.js';

const tmp = () => tempDir('faultline-run-');
const quick = ['--time-limit', '6', '--nemesis-interval', '1.5', '--quiescence', '1', '--op-timeout', '0.5', '--convergence-bound', '8', '--no-progress'];

function runJson(args: string[], timeoutMs = 120_000) {
  const r = cli(['run', '--json', ...quick, ...args], { timeoutMs });
  let out: any;
  try {
    out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
  } catch {
    throw new Error(`run printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { ...r, out };
}

const checker = (out: any, name: string) => out.results.checkers.find((c: any) => c.checker === name);

/** `faultline check RUN` must judge a stored run with the checkers the run used, and reach the same verdicts. */
function expectSameRecheck(run: { code: number; out: any }): void {
  const again = cli(['check', '--json', run.out.dir]);
  const j = JSON.parse(again.stdout.trim().split('\n').pop() ?? '');
  const verdicts = (cs: any[]) => cs.map((c: any) => [c.checker, c.valid, c.enforced]);
  expect(verdicts(j.checkers)).toEqual(verdicts(run.out.results.checkers));
  expect(again.code).toBe(run.code);
}

/** Processes whose command line mentions this path: the run's nodes, if any were left behind. */
function processesUnder(path: string): string[] {
  const ps = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).stdout;
  return ps.split('\n').filter((l) => l.includes(path) && !l.includes('ps -eo'));
}

describe('faultline run (built-in targets, sim runtime)', () => {
  it('raft under partitions and kills is linearizable, and leaves no node running', () => {
    const store = tmp();
    const { code, out } = runJson(['--nodes', '3', '--seed', '1', '--store', store]);
    expect(out.valid).toBe(true);
    expect(code).toBe(0);
    expect(checker(out, 'linearizable').valid).toBe(true);
    expect(out.results.summary.clientOps).toBeGreaterThan(100);
    expect(out.results.summary.faults).toBeGreaterThan(0);
    expect(processesUnder(store)).toEqual([]);
    // Archived: the history gzipped, report.html beside it, the nodes' data gone, their logs kept.
    const files = readdirSync(out.dir);
    expect(files).toEqual(expect.arrayContaining(['history.jsonl.gz', 'report.html', 'nodes']));
    expect(files).not.toContain('history.jsonl');
    expect(files).not.toContain('data');
    expect(readdirSync(join(out.dir, 'nodes')).length).toBeGreaterThan(0);
    expect(out.report).toBe(join(out.dir, 'report.html'));
  });

  it('says so when the seeded schedule holds no fault, and how many it holds otherwise', () => {
    const short = cli(['run', '--nodes', '3', '--time-limit', '1', '--nemesis', 'partition', '--nemesis-interval', '5', '--quiescence', '0.5', '--seed', '2', '--no-progress', '--store', tmp()]);
    expect(short.code).toBe(0);
    expect(short.stderr).toMatch(/no fault fits this seed's schedule: the first would start after the 1 s time limit; lower --nemesis-interval, now 5 s/);
    const some = cli(['run', '--nodes', '3', '--time-limit', '2', '--nemesis', 'partition', '--nemesis-interval', '0.5', '--quiescence', '0.5', '--seed', '2', '--no-progress', '--store', tmp()]);
    expect(some.stderr).toMatch(/nemesis partition \([1-9]\d* planned\)/);
  });

  it('raft --bug stale-reads under partitions is caught as not linearizable on some seed of three', () => {
    const store = tmp();
    const verdicts: unknown[] = [];
    for (const seed of ['1', '2', '3']) {
      const { out } = runJson(['--bug', 'stale-reads', '--nemesis', 'partition', '--seed', seed, '--store', store]);
      verdicts.push(out.valid);
      if (out.valid === false) {
        expect(checker(out, 'linearizable').anomalies[0].message.length).toBeGreaterThan(20);
        break;
      }
    }
    expect(verdicts).toContain(false);
  });

  it('the same seed reproduces the op and fault schedules', () => {
    const store = tmp();
    const a = runJson(['--nodes', '3', '--seed', '42', '--store', store, '--nemesis', 'partition,pause']).out;
    const b = runJson(['--nodes', '3', '--seed', '42', '--store', store, '--nemesis', 'partition,pause']).out;
    const meta = (dir: string) => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(meta(b.dir).faultSchedule).toEqual(meta(a.dir).faultSchedule);
    expect(meta(a.dir).faultSchedule.length).toBeGreaterThan(0);
    // Each client slot's sequence of (f, key, written value) is the same; timing decides only how far it got.
    const perSlot = (dir: string) => {
      const ops = readContent(join(dir, 'history.jsonl.gz')).trim().split('\n').map((l) => JSON.parse(l));
      const slots = new Map<number, string[]>();
      for (const op of ops) {
        if (op.type !== 'invoke' || typeof op.process !== 'number' || op.f === 'final-read') continue;
        const slot = op.process % 10;
        const written = op.f === 'cas' ? op.value[1] : op.value;
        slots.set(slot, [...(slots.get(slot) ?? []), `${op.f}:${op.key}:${written}`]);
      }
      return slots;
    };
    const sa = perSlot(a.dir);
    const sb = perSlot(b.dir);
    for (const [slot, seq] of sa) {
      const other = sb.get(slot)!;
      const n = Math.min(seq.length, other.length);
      expect(n).toBeGreaterThan(10);
      expect(other.slice(0, n)).toEqual(seq.slice(0, n));
    }
  });

  it('lww stays available under partitions, and converges after the heal', () => {
    const store = tmp();
    const { out } = runJson(['--config', 'lww', '--nemesis', 'partition', '--seed', '5', '--store', store]);
    const conv = checker(out, 'convergence');
    expect(conv.valid).toBe(true);
    const avail = checker(out, 'availability');
    expect(JSON.stringify(avail.stats)).toMatch(/ok/);
    expect(out.results.summary.cap).toMatch(/available|both/);
  });

  it('lww --bug no-merge does not converge, and the diverging nodes are named', () => {
    const store = tmp();
    const run = runJson(['--config', 'lww', '--bug', 'no-merge', '--nemesis', 'partition', '--seed', '5', '--store', store, '--convergence-bound', '3']);
    const { code, out } = run;
    const conv = checker(out, 'convergence');
    expect(conv.valid).toBe(false);
    expect(JSON.stringify(conv.anomalies)).toMatch(/n[1-5]/);
    expect(code).toBe(1);
    expectSameRecheck(run);
  });

  it('runs a user\'s Maelstrom binary unmodified: one node is linearizable, three unreplicated nodes are not', () => {
    const bin = join(ROOT, 'tests', 'fixtures', 'maelstrom', 'lin-kv.mjs');
    const store = tmp();
    const one = runJson(['--target', 'maelstrom', '--bin', bin, '--workload', 'lin-kv', '--nodes', '1', '--nemesis', 'pause', '--store', store]);
    expect(one.out.valid).toBe(true);
    const three = runJson(['--target', 'maelstrom', '--bin', bin, '--workload', 'lin-kv', '--nodes', '3', '--nemesis', 'none', '--rate', 'unlimited', '--store', store, '--convergence-bound', '1']);
    expect(three.code).toBe(1);
    expect(checker(three.out, 'linearizable').valid).toBe(false);
  });

  it('runs a Maelstrom broadcast binary: gossip with retries delivers every message after partitions, gossip without loses some', () => {
    const dir = join(ROOT, 'tests', 'fixtures', 'maelstrom');
    const store = tmp();
    const args = ['--target', 'maelstrom', '--workload', 'broadcast', '--nodes', '3', '--nemesis', 'partition', '--seed', '4', '--rate', '1000', '--store', store];
    const good = runJson([...args, '--bin', join(dir, 'broadcast.mjs')]);
    expect(good.code).toBe(0);
    expect(checker(good.out, 'set').stats.lostAcknowledged).toBe(0);
    expect(checker(good.out, 'convergence').valid).toBe(true);
    // Reads under broadcast may lag: the run is held to delivery, not to linearizability.
    expect(checker(good.out, 'linearizable')).toBeUndefined();
    const history = readContent(join(good.out.dir, 'history.jsonl.gz'));
    expect(history).toMatch(/"f":"start-partition"/);

    const bad = runJson([...args, '--bin', join(dir, 'broadcast-once.mjs')]);
    expect(bad.code).toBe(1);
    expect(checker(bad.out, 'convergence').valid).toBe(false);
    // Held to delivery on re-check too: the set and convergence checkers, not a linearizability search.
    expectSameRecheck(bad);

    // The same node as a g-set: held to delivery as well, so its lagging reads do not fail the run.
    const gset = runJson(['--target', 'maelstrom', '--workload', 'set', '--keys', '1', '--nodes', '3', '--nemesis', 'partition', '--seed', '4', '--rate', '1000', '--store', store, '--bin', join(dir, 'broadcast.mjs')]);
    expect(gset.code).toBe(0);
    expect(checker(gset.out, 'set').stats.lostAcknowledged).toBe(0);
  }, 150_000);

  it('runs Maelstrom counter and unique-ids binaries: a CRDT counter and node-prefixed ids pass, their broken twins do not', () => {
    const dir = join(ROOT, 'tests', 'fixtures', 'maelstrom');
    const store = tmp();
    const base = ['--target', 'maelstrom', '--nodes', '3', '--nemesis', 'partition', '--seed', '4', '--rate', '1000', '--store', store];
    const crdt = runJson([...base, '--workload', 'pn-counter', '--bin', join(dir, 'counter.mjs')]);
    expect(crdt.code).toBe(0);
    expect(checker(crdt.out, 'counter').valid).toBe(true);
    const once = runJson([...base, '--workload', 'pn-counter', '--bin', join(dir, 'counter-once.mjs')]);
    expect(once.code).toBe(1);
    expect(checker(once.out, 'counter').anomalies.map((a: any) => a.kind)).toContain('divergent');

    const ids = runJson([...base, '--workload', 'unique-ids', '--bin', join(dir, 'unique-ids.mjs')]);
    expect(ids.code).toBe(0);
    expect(checker(ids.out, 'unique-ids').stats.generated).toBeGreaterThan(100);
    const colliding = runJson([...base, '--workload', 'unique-ids', '--bin', join(dir, 'unique-ids-colliding.mjs')]);
    expect(colliding.code).toBe(1);
    expect(checker(colliding.out, 'unique-ids').stats.duplicatedIds).toBeGreaterThan(0);
  });

  it('runs a Maelstrom echo binary: a faithful echo passes, one that answers with the previous message fails', () => {
    const dir = join(ROOT, 'tests', 'fixtures', 'maelstrom');
    const store = tmp();
    const base = ['--target', 'maelstrom', '--workload', 'echo', '--nodes', '2', '--nemesis', 'pause', '--seed', '4', '--rate', '500', '--store', store];
    const good = runJson([...base, '--bin', join(dir, 'echo.mjs')]);
    expect(good.code).toBe(0);
    expect(checker(good.out, 'echo').stats.echoes).toBeGreaterThan(100);
    const bad = runJson([...base, '--bin', join(dir, 'echo-previous.mjs')]);
    expect(bad.code).toBe(1);
    expect(checker(bad.out, 'echo').anomalies[0].message).toMatch(/sent "Please echo [^"]*" and got back "/);
    // An echo run has no datatype to search: re-checking it runs the echo checker, as the run did.
    expectSameRecheck(bad);
  });

  it('Ctrl-C in the middle of a run cleans up: no node process remains, the run is marked interrupted', async () => {
    const store = tmp();
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'faultline.js'), 'run', '--store', store, '--time-limit', '60', '--no-progress', '--seed', '9'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    // Wait until the main phase has started, then interrupt.
    const t0 = Date.now();
    while (!err.includes('[main]') && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 100));
    expect(err).toContain('[main]');
    expect(processesUnder(store).length).toBeGreaterThan(0);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(130);
    expect(processesUnder(store)).toEqual([]);
    const test = readdirSync(store)[0];
    const run = readdirSync(join(store, test)).find((d) => d !== 'latest')!;
    expect(JSON.parse(readFileSync(join(store, test, run, 'run.json'), 'utf8')).status).toBe('interrupted');
  });

  it('after the harness is killed with SIGKILL, `faultline cleanup` ends the nodes it left behind', async () => {
    const bin = join(ROOT, 'tests', 'fixtures', 'maelstrom', 'lingering.mjs');
    const store = tmp();
    const child = spawn(
      process.execPath,
      [join(ROOT, 'bin', 'faultline.js'), 'run', '--target', 'maelstrom', '--bin', bin, '--workload', 'lin-kv', '--nodes', '3', '--nemesis', 'none', '--time-limit', '60', '--no-progress', '--store', store],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const t0 = Date.now();
    while (!err.includes('[main]') && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 100));
    expect(err).toContain('[main]');
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    await new Promise((r) => setTimeout(r, 500));
    // The nodes ignore the end of their stdin, so the dead harness left them running.
    expect(processesUnder(bin).length).toBe(3);
    const c = cli(['cleanup', '--json']);
    expect(c.code).toBe(0);
    expect(c.stdout.match(/sim node n[1-3]/g)?.length).toBe(3);
    await new Promise((r) => setTimeout(r, 300));
    expect(processesUnder(bin)).toEqual([]);
  });
});
