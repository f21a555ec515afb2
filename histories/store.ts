/**
 * The run store: `<root>/<test>/<timestamp>/` with run.json, history.jsonl, results.json, faultline.log and
 * nodes/<node>.log, plus `<root>/<test>/latest` pointing at the newest run of that test.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from './errors.js';
import { toJsonText } from './exact-json.js';
import { RunMetaSchema, RunResultsSchema, type RunMeta, type RunResults } from './run-record.js';
import type { z } from 'zod';

export { DEFAULT_STORE } from './store-dir.js';

export interface RunDir {
  dir: string;
  test: string;
  id: string;
}

/** Timestamps that sort as text and are safe in file names on every OS. */
function stamp(d: Date): string {
  return d.toISOString().replace(/:/g, '-');
}

export function runPaths(dir: string) {
  return {
    meta: join(dir, 'run.json'),
    history: join(dir, 'history.jsonl'),
    /** The history once the run is finished and archived. */
    historyGz: join(dir, 'history.jsonl.gz'),
    report: join(dir, 'report.html'),
    results: join(dir, 'results.json'),
    log: join(dir, 'faultline.log'),
    nodeLogs: join(dir, 'nodes'),
    data: join(dir, 'data'),
  };
}

/** The run's history file as stored: history.jsonl while it is written, history.jsonl.gz once archived. */
export function historyFile(dir: string): string {
  const p = runPaths(dir);
  return existsSync(p.history) || !existsSync(p.historyGz) ? p.history : p.historyGz;
}

export function createRunDir(root: string, test: string, now = new Date(), claims = runIdClaimsDir()): RunDir {
  if (!/^[A-Za-z0-9._-]+$/.test(test)) throw new InputError(`test name "${test}" may only hold letters, digits, '.', '_' and '-'`);
  const testDir = join(root, test);
  let id = stamp(now);
  // Two runs in the same millisecond get distinct ids: in one store (compare starts configurations back to
  // back) by their folders, and across stores by a claim on this machine. The runtimes name their namespaces,
  // containers and ledgers after the id, so two live runs must never share one.
  for (let i = 1; existsSync(join(testDir, id)) || !claimRunId(claims, id); i++) id = `${stamp(now)}-${i}`;
  const dir = join(testDir, id);
  mkdirSync(join(dir, 'nodes'), { recursive: true });
  pointLatest(testDir, id);
  return { dir, test, id };
}

/**
 * Where live runs claim their ids, one file each, machine-wide whatever the store: beside the runtimes' own
 * state (root's runs in /run/faultline, which a reboot empties), or under FAULTLINE_STATE_DIR when that is set.
 */
export function runIdClaimsDir(): string {
  if (process.env.FAULTLINE_STATE_DIR) return join(process.env.FAULTLINE_STATE_DIR, 'run-ids');
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return root ? '/run/faultline/run-ids' : join(tmpdir(), 'faultline-run-ids');
}

/**
 * Claim `id` for this process, unless a live process holds it. A claim left by a dead process (a run killed
 * with -9) is taken over; this process's own claims are dropped when it exits.
 */
export function claimRunId(claims: string, id: string): boolean {
  mkdirSync(claims, { recursive: true });
  const file = join(claims, id);
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    let owner = NaN;
    try {
      owner = Number(readFileSync(file, 'utf8'));
    } catch {
      // released meanwhile: treat as free
    }
    if (owner === process.pid || isAlive(owner)) return false;
    writeFileSync(file, String(process.pid));
  }
  if (ownClaims.size === 0) process.once('exit', dropOwnClaims);
  ownClaims.add(file);
  return true;
}

/** Drop this process's claim on `id`: its run is over and left nothing named after it. */
export function releaseRunId(id: string, claims = runIdClaimsDir()): void {
  const file = join(claims, id);
  if (!ownClaims.delete(file)) return;
  try {
    if (readFileSync(file, 'utf8') === String(process.pid)) rmSync(file, { force: true });
  } catch {
    // gone already
  }
}

const ownClaims = new Set<string>();

function dropOwnClaims(): void {
  for (const f of ownClaims) {
    try {
      if (readFileSync(f, 'utf8') === String(process.pid)) rmSync(f, { force: true });
    } catch {
      // gone already
    }
  }
  ownClaims.clear();
}

/** Drop the claims of processes that are gone (runs killed with -9); `faultline cleanup` calls this. */
export function dropDeadRunIdClaims(claims = runIdClaimsDir()): void {
  let names: string[];
  try {
    names = readdirSync(claims);
  } catch {
    return;
  }
  for (const n of names) {
    try {
      if (!isAlive(Number(readFileSync(join(claims, n), 'utf8')))) rmSync(join(claims, n), { force: true });
    } catch {
      // raced with its owner's release
    }
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function pointLatest(testDir: string, id: string): void {
  const link = join(testDir, 'latest');
  const tmp = join(testDir, `.latest-${process.pid}`);
  rmSync(tmp, { force: true });
  try {
    symlinkSync(id, tmp);
  } catch {
    writeFileSync(tmp, id + '\n');
  }
  renameSync(tmp, link);
}

function writeJson(path: string, data: unknown): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, toJsonText(data, 2) + '\n');
  renameSync(tmp, path);
}

export function writeMeta(dir: string, meta: RunMeta): void {
  writeJson(runPaths(dir).meta, RunMetaSchema.parse(meta));
}

export function writeResults(dir: string, results: RunResults): void {
  writeJson(runPaths(dir).results, RunResultsSchema.parse(results));
}

function readJson<T>(path: string, schema: z.ZodType<T>, what: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InputError(`${what} is not readable JSON: ${(err as Error).message}`, undefined, path);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`${what} is malformed at "${issue.path.join('.')}": ${issue.message}`, undefined, path);
  }
  return parsed.data;
}

export function readMeta(dir: string): RunMeta {
  return readJson(runPaths(dir).meta, RunMetaSchema, 'run.json');
}

export function readResults(dir: string): RunResults | undefined {
  const p = runPaths(dir).results;
  return existsSync(p) ? readJson(p, RunResultsSchema, 'results.json') : undefined;
}

function isRunDir(dir: string): boolean {
  return existsSync(join(dir, 'run.json'));
}

function followLatest(testDir: string): string | undefined {
  const link = join(testDir, 'latest');
  if (!existsSync(link)) return undefined;
  let target: string;
  try {
    target = readlinkSync(link);
  } catch {
    target = readFileSync(link, 'utf8').trim();
  }
  return join(testDir, target);
}

export interface StoredRun {
  dir: string;
  test: string;
  id: string;
  meta?: RunMeta;
  results?: RunResults;
  /** Why run.json or results.json could not be read. */
  problem?: string;
}

/** Every stored run, newest first. Unreadable runs are listed with the problem rather than hidden. */
export function listRuns(root: string): StoredRun[] {
  if (!existsSync(root)) return [];
  const runs: StoredRun[] = [];
  for (const test of readdirSync(root)) {
    const testDir = join(root, test);
    if (!statSync(testDir).isDirectory()) continue;
    for (const id of readdirSync(testDir)) {
      if (id === 'latest' || id.startsWith('.')) continue;
      const dir = join(testDir, id);
      if (!statSync(dir).isDirectory() || !isRunDir(dir)) continue;
      const run: StoredRun = { dir, test, id };
      try {
        run.meta = readMeta(dir);
        run.results = readResults(dir);
      } catch (err) {
        run.problem = err instanceof InputError ? err.describe() : String(err);
      }
      runs.push(run);
    }
  }
  return runs.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : a.test.localeCompare(b.test)));
}

/**
 * Find a run from what a person would type: a run directory, `<test>/<id>`, `<test>` (its latest run),
 * `<test>/latest`, or `latest` (the newest run of any test).
 */
export function resolveRun(root: string, ref: string): string {
  const candidates = [resolve(ref), join(root, ref)];
  for (const c of candidates) {
    if (existsSync(c) && statSync(c).isDirectory()) {
      if (isRunDir(c)) return c;
      const latest = followLatest(c);
      if (latest && isRunDir(latest)) return latest;
    }
  }
  if (ref === 'latest') {
    const newest = listRuns(root)[0];
    if (newest) return newest.dir;
    throw new InputError(`no runs stored under ${root}`);
  }
  throw new InputError(`no stored run "${ref}" under ${root} (try \`faultline ls\`)`);
}

export function describeRunRef(dir: string): string {
  return `${basename(dirname(dir))}/${basename(dir)}`;
}
