/**
 * A run's record of the node processes it started on the sim runtime, so that `faultline cleanup` can end
 * them after the harness itself died without teardown (kill -9, OOM). Built-in nodes exit when their stdin
 * closes, but a paused node, or a user's Maelstrom binary that ignores EOF, would otherwise live on.
 *
 * Each process is recorded with its kernel start time, so cleanup never signals a recycled PID; the ledger
 * names its owner (the harness process) the same way, so cleanup leaves a live run's nodes alone.
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSameProcessAlive, procStartTime, type ProcRef } from '../kernel/procs.js';

export function ledgerDir(): string {
  if (process.env.FAULTLINE_STATE_DIR) return join(process.env.FAULTLINE_STATE_DIR, 'sim');
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return root ? '/run/faultline/sim' : join(tmpdir(), 'faultline-sim');
}

interface Entry extends ProcRef {
  node?: string;
  owner?: boolean;
}

export class PidLedger {
  readonly file: string;

  constructor(runId: string, dir = ledgerDir()) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `${runId.replace(/[^A-Za-z0-9._-]/g, '_')}.jsonl`);
    this.append({ owner: true, pid: process.pid, startTime: procStartTime(process.pid) ?? '' });
  }

  private append(e: Entry): void {
    appendFileSync(this.file, JSON.stringify(e) + '\n');
  }

  record(node: string, pid: number): void {
    const startTime = procStartTime(pid);
    if (startTime !== null) this.append({ node, pid, startTime });
  }

  /** Teardown finished: nothing of this run is left to find. */
  remove(): void {
    rmSync(this.file, { force: true });
  }
}

function readEntries(file: string): Entry[] {
  const out: Entry[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as Entry);
    } catch {
      // A line torn by the crash that left this ledger behind: the lines before it still count.
    }
  }
  return out;
}

/**
 * End the node processes of sim runs whose harness is gone (or of `runId` only), and drop their ledgers.
 * Returns a line per process ended.
 */
export function cleanupSim(runId?: string, dir = ledgerDir()): string[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const f of files) {
    const id = f.slice(0, -'.jsonl'.length);
    if (runId !== undefined && id !== runId.replace(/[^A-Za-z0-9._-]/g, '_')) continue;
    const path = join(dir, f);
    const entries = readEntries(path);
    const owner = entries.find((e) => e.owner);
    if (runId === undefined && owner && isSameProcessAlive(owner)) continue;
    for (const e of entries) {
      if (e.owner || !isSameProcessAlive(e)) continue;
      try {
        process.kill(e.pid, 'SIGKILL');
        // A stopped process dies of SIGKILL too, but waking it makes sure the kernel reaps it promptly.
        process.kill(e.pid, 'SIGCONT');
      } catch {
        continue;
      }
      removed.push(`sim node ${e.node ?? '?'} of run ${id} (pid ${e.pid})`);
    }
    rmSync(path, { force: true });
  }
  return removed;
}
