// Shared setup for the sim suites: temp folders, clusters of the built-in node or a fixture, polling.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SimRuntime, TimeoutError, type SimRuntimeOptions } from '../../../harness/sim/sim-runtime.js';
import { builtinCommand } from '../../../targets/builtin/index.js';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, '..', '..', '..');
export const FIXTURES = resolve(ROOT, 'tests', 'fixtures', 'maelstrom');

export function nodeIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `n${i + 1}`);
}

/** Runtimes and temp dirs made by a suite, to be torn down in afterEach whatever happened. */
export class Scope {
  readonly runtimes: SimRuntime[] = [];
  private readonly dirs: string[] = [];

  tempDir(): string {
    const d = mkdtempSync(join(tmpdir(), 'faultline-sim-'));
    this.dirs.push(d);
    return d;
  }

  runtime(opts: Partial<SimRuntimeOptions> & Pick<SimRuntimeOptions, 'command' | 'args'> & { n?: number }): SimRuntime {
    const dir = opts.dataDir ? undefined : this.tempDir();
    const rt = new SimRuntime({
      nodes: opts.nodes ?? nodeIds(opts.n ?? 3),
      dataDir: opts.dataDir ?? join(dir!, 'data'),
      logDir: opts.logDir ?? join(dir ?? this.tempDir(), 'logs'),
      seed: opts.seed ?? 'test-seed',
      ...opts,
    });
    this.runtimes.push(rt);
    return rt;
  }

  builtin(config: string, n: number, bug?: string, extra: Partial<SimRuntimeOptions> = {}): SimRuntime {
    return this.runtime({ ...builtinCommand(config, bug), n, clock: true, ...extra });
  }

  fixture(file: string, n: number, extra: Partial<SimRuntimeOptions> = {}): SimRuntime {
    return this.runtime({ command: process.execPath, args: [join(FIXTURES, file)], n, ...extra });
  }

  /** Tear everything down and return every pid any runtime ever started. */
  async cleanup(): Promise<number[]> {
    const pids: number[] = [];
    for (const rt of this.runtimes.splice(0)) {
      await rt.teardown();
      for (const list of Object.values(rt.pids())) pids.push(...list);
    }
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    return pids;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll `probe` until it returns a value other than undefined; bounded by count and time. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let i = 0; i < 10_000 && Date.now() < deadline; i++) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

/** A request that reports a timeout as a value, for probes. */
export async function ask(rt: SimRuntime, node: string, body: Record<string, unknown>, timeoutMs = 2000): Promise<Record<string, unknown> | 'timeout'> {
  try {
    return await rt.request(node, body, timeoutMs);
  } catch (err) {
    if (err instanceof TimeoutError) return 'timeout';
    throw err;
  }
}

export interface RaftStatus {
  role: string;
  term: number;
  leader: string | null;
}

export async function raftStatus(rt: SimRuntime, node: string): Promise<RaftStatus | undefined> {
  const r = await ask(rt, node, { type: 'faultline_status' }, 1000);
  return r === 'timeout' ? undefined : (r as unknown as RaftStatus);
}

/** The leader that every listed node agrees on, once they do. */
export async function awaitLeader(rt: SimRuntime, nodes: readonly string[] = rt.nodes): Promise<string> {
  return eventually(`a raft leader among ${nodes.join(',')}`, async () => {
    const statuses = await Promise.all(nodes.map((n) => raftStatus(rt, n)));
    const leaders = statuses.filter((s) => s?.role === 'leader');
    if (leaders.length !== 1) return undefined;
    const term = leaders[0]!.term;
    const leader = nodes[statuses.findIndex((s) => s?.role === 'leader')];
    return statuses.every((s) => s && s.term === term && s.leader === leader) ? leader : undefined;
  });
}
