/**
 * Process supervision for the kernel runtimes: a process is known by its PID plus the kernel's start time for
 * that PID, so that neither this run nor a later cleanup ever signals an unrelated process that happens to
 * reuse the number. Signals go to the process group, so a node's forked children are reached too.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { sleep } from '../time.js';

export interface ProcRef {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks after boot. Stable for the life of the process, also across exec. */
  startTime: string;
}

export function procStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; fields after the last ')' are plain.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? null; // field 22 overall = index 19 after "pid (comm)"
  } catch {
    return null;
  }
}

/** State letter from /proc/<pid>/stat: R, S, D, T (stopped), Z (zombie), ... or null if gone. */
export function procState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? null;
  } catch {
    return null;
  }
}

/** True while this exact process (not a recycled PID) exists and is not a zombie. */
export function isSameProcessAlive(ref: ProcRef): boolean {
  const st = procStartTime(ref.pid);
  if (st === null || st !== ref.startTime) return false;
  return procState(ref.pid) !== 'Z';
}

export function procExe(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return null;
  }
}

/**
 * Signal the process group led by `ref` (node processes lead their own group, so this reaches children they
 * forked, such as redis' background-save child). Does nothing if the PID now belongs to someone else.
 */
export function signalProc(ref: ProcRef, signal: NodeJS.Signals): boolean {
  if (procStartTime(ref.pid) !== ref.startTime) return false;
  try {
    process.kill(-ref.pid, signal);
    return true;
  } catch {
    try {
      process.kill(ref.pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

/** Wait (bounded) until the process is gone (or is a zombie awaiting its parent). */
export async function waitGone(ref: ProcRef, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000 && Date.now() < deadline; i++) {
    if (!isSameProcessAlive(ref)) return true;
    await sleep(10);
  }
  return !isSameProcessAlive(ref);
}

