/**
 * Whole-process checker benchmarks: `faultline check` run as a user runs it (process start, parse, check,
 * explanation, output), timed from outside, with the child's peak RSS from /usr/bin/time when it is installed.
 *
 * - "100 small etcd-style logs, whole process": 100 jepsen.log files of a cas-register (100 to 400 ops, 5
 *   clients, timeouts as :info, four in five with one stale read), in one `check` call. Porcupine decides 103
 *   such files of its own test data in 0.45 to 0.49 s in-process on this machine (issue 10).
 * - "one 50-client kv history, valid and invalid": a Porcupine-style kv history (50 clients, 10 keys,
 *   get/put/append of strings, some ops hanging until the end) and its twin with one stale read.
 * - cold start: `faultline --version` and `faultline check` of a 4-op file, each run 10 times, median and
 *   fastest wall time, median CPU (user + sys), beside `node -e 0` (node's own start-up) as the floor. Goal (issue
 *   10): under 150 ms whole process.
 * - "hard 500k-op register history": one key, 10 clients, about one write in 500 timed out (`info`, open to
 *   the end), valid; the search cannot finish in 20 s, but its writes are unique reads and writes, so since the
 *   zone test (checkers/linear/zones.ts) it is decided without one: the row now mostly times reading and pairing
 *   a million records (23.5 s and 913 MB to `unknown` before). Checked with --timeout 20, without and with
 *   --max-memory 256: time, verdict and peak RSS, the memory figure of issue 17 (971 MB at 21.8 s before the
 *   budget existed). `--hard-ops N` changes the size.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { etcdStyleLog, hardRegisterHistory, kvHistory } from './gen-histories.js';

function cliPath(): string {
  let dir = fileURLToPath(new URL('..', import.meta.url));
  if (dir.replace(/\/$/, '').endsWith('dist')) dir = join(dir, '..');
  return join(dir, 'bin', 'faultline.js');
}

interface Timed {
  seconds: number;
  /** User + system CPU seconds of the child (from /usr/bin/time). */
  cpu?: number;
  peakMb?: number;
  code: number | null;
  stdout: string;
}

/** Run `node bin/faultline.js ARGS`, timed; peak RSS via GNU time's %M when available. */
function timeCli(args: string[], node: string[] = [cliPath()]): Timed {
  const useTime = existsSync('/usr/bin/time');
  const cmd = useTime ? '/usr/bin/time' : process.execPath;
  const full = useTime ? ['-f', '__PEAK__ %M %U %S', process.execPath, ...node, ...args] : [...node, ...args];
  const t0 = performance.now();
  const r = spawnSync(cmd, full, { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  const seconds = (performance.now() - t0) / 1000;
  const m = /__PEAK__ (\d+) ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
  return { seconds, cpu: m ? Number(m[2]) + Number(m[3]) : undefined, peakMb: m ? Number(m[1]) / 1024 : undefined, code: r.status, stdout: r.stdout ?? '' };
}

/** Start-up cost: `runs` runs of one command, as median and fastest wall time, median CPU, peak RSS. */
function coldStart(label: string, args: string[], node?: string[], runs = 10): void {
  const ts = Array.from({ length: runs }, () => timeCli(args, node));
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[(xs.length - 1) >> 1];
  const ms = (s: number): string => `${Math.round(s * 1000)} ms`;
  const cpus = ts.flatMap((t) => (t.cpu === undefined ? [] : [t.cpu]));
  const peak = Math.max(...ts.map((t) => t.peakMb ?? 0));
  console.log(
    `cold start, ${label}: median ${ms(median(ts.map((t) => t.seconds)))}, fastest ${ms(Math.min(...ts.map((t) => t.seconds)))} of ${runs}` +
      `${cpus.length ? `, CPU median ${ms(median(cpus))}` : ''}, ${peak ? `peak RSS ${peak.toFixed(0)} MB` : 'peak RSS n/a'} (exit ${ts[0].code})`,
  );
}

/** CPU (user + sys: what the machine's load does not inflate as much as wall time) and peak RSS of a run. */
const rss = (t: Timed): string =>
  t.peakMb === undefined ? 'peak RSS n/a (no /usr/bin/time)' : `CPU ${t.cpu === undefined ? '?' : t.cpu.toFixed(2)} s, peak RSS ${t.peakMb.toFixed(0)} MB`;

export function main(argv: string[] = []): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
  try {
    const small = join(dir, 'small.jsonl');
    const ops = [
      { index: 0, type: 'invoke', f: 'write', value: 1, process: 0, time: 1 },
      { index: 1, type: 'ok', f: 'write', value: 1, process: 0, time: 2 },
      { index: 2, type: 'invoke', f: 'read', value: null, process: 1, time: 3 },
      { index: 3, type: 'ok', f: 'read', value: 1, process: 1, time: 4 },
    ];
    writeFileSync(small, ops.map((o) => JSON.stringify(o)).join('\n') + '\n');
    coldStart('`node -e 0` (the floor)', ['-e', '0'], []);
    coldStart('`faultline --version`', ['--version']);
    coldStart('`faultline check` of a 4-op file', ['check', small]);

    const files: string[] = [];
    for (let i = 0; i < 100; i++) {
      const f = join(dir, `etcd_${String(i).padStart(3, '0')}.log`);
      writeFileSync(f, etcdStyleLog({ seed: i + 1, ops: 100 + ((i * 37) % 300), clients: 5, bad: i % 5 !== 0 }));
      files.push(f);
    }
    const t = timeCli(['check', ...files, '--model', 'cas-register', '--json']);
    const lines = t.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { valid: unknown; stats?: { elapsedMs?: number } });
    const count = (v: unknown): number => lines.filter((l) => l.valid === v).length;
    const searchMs = lines.reduce((s, l) => s + (l.stats?.elapsedMs ?? 0), 0);
    console.log(
      `100 small etcd-style logs, whole process: ${t.seconds.toFixed(2)} s, ${rss(t)} ` +
        `(${count(true)} valid, ${count(false)} invalid, ${count('unknown')} unknown; checker's own time ${searchMs} ms)`,
    );

    const hang = Number(argv[argv.indexOf('--hang') + 1] ?? NaN);
    for (const bad of [false, true]) {
      const ops = kvHistory({ seed: 7, clients: 50, keys: 10, ops: 2000, bad, ...(Number.isFinite(hang) ? { hangRate: hang } : {}) });
      const f = join(dir, `kv-c50-${bad ? 'bad' : 'ok'}.jsonl`);
      writeFileSync(f, ops.map((o) => JSON.stringify(o)).join('\n') + '\n');
      const k = timeCli(['check', f, '--model', 'kv', '--json', '--timeout', '120']);
      const out = JSON.parse(k.stdout.trim().split('\n')[0] || '{}') as { valid?: unknown; reason?: string; stats?: { statesExplored?: number } };
      console.log(
        `one 50-client kv history (${ops.length} events), ${bad ? 'invalid' : 'valid'}: ${String(out.valid)} in ${k.seconds.toFixed(2)} s, ${rss(k)}, ` +
          `${out.stats?.statesExplored ?? '?'} states${out.reason ? ` (${out.reason})` : ''}`,
      );
    }
    const hardOps = Number(argv[argv.indexOf('--hard-ops') + 1] ?? NaN);
    const size = argv.includes('--hard-ops') && Number.isFinite(hardOps) ? hardOps : 500_000;
    const hard = join(dir, 'hard-register.jsonl');
    writeFileSync(hard, hardRegisterHistory({ seed: 1, ops: size }).map((o) => JSON.stringify(o)).join('\n') + '\n');
    for (const budget of [[], ['--max-memory', '256']]) {
      const h = timeCli(['check', hard, '--model', 'cas-register', '--timeout', '20', '--json', ...budget]);
      const out = JSON.parse(h.stdout.trim().split('\n')[0] || '{}') as { valid?: unknown; reason?: string };
      console.log(
        `hard ${size}-op single-key register history, --timeout 20${budget.length ? ' --max-memory 256' : ''}: ${String(out.valid)} in ${h.seconds.toFixed(2)} s, ${rss(h)}` +
          `${out.reason ? ` (${out.reason.slice(0, 160)})` : ''}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return Promise.resolve();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv.slice(2));
}
