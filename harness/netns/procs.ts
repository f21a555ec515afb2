/**
 * Node processes: started inside a namespace, known by PID plus the kernel's start time for that PID, so that
 * neither this run nor a later cleanup ever signals an unrelated process that happens to reuse the number.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readlinkSync } from 'node:fs';
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

export interface SpawnSpec {
  ns: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  logFile: string;
}

export interface Spawned {
  ref: ProcRef;
  /** Resolves with the exit code or signal when the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Start `command` in namespace `ns`. `ip netns exec` switches namespace and then execs the command, so the
 * PID we get is the target's own PID (waitForExec checks that it really exec'd).
 */
export function spawnInNs(spec: SpawnSpec): Spawned {
  const fd = openSync(spec.logFile, 'a');
  try {
    const child = spawn('ip', ['netns', 'exec', spec.ns, spec.command, ...spec.args], {
      env: spec.env,
      stdio: ['ignore', fd, fd],
      // Own process group: a Ctrl-C in the harness's terminal doesn't race the orderly teardown, and
      // signals to the group reach the node's children too.
      detached: true,
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start ${spec.command} in ${spec.ns}`);
    const startTime = procStartTime(pid);
    if (startTime === null) throw new Error(`${spec.command} in ${spec.ns} exited at once; see ${spec.logFile}`);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on('exit', (code, signal) => resolve({ code, signal }));
      child.on('error', () => resolve({ code: null, signal: null }));
    });
    // The runtime, not the event loop, decides when nodes stop: don't keep the harness alive for them.
    child.unref();
    return { ref: { pid, startTime }, exited };
  } finally {
    closeSync(fd);
  }
}

const IP_BINARIES = ['/usr/sbin/ip', '/usr/bin/ip', '/sbin/ip', '/bin/ip'];

/**
 * Wait (bounded) until the process has exec'd from `ip` into the target binary, or has died.
 * Returns the executable path, or throws if it died or never exec'd.
 */
export async function waitForExec(ref: ProcRef, what: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000 && Date.now() < deadline; i++) {
    if (!isSameProcessAlive(ref)) throw new Error(`${what} (PID ${ref.pid}) exited during start`);
    const exe = procExe(ref.pid);
    if (exe && !IP_BINARIES.includes(exe)) return exe;
    await sleep(10);
  }
  throw new Error(`${what} (PID ${ref.pid}) did not start within ${timeoutMs} ms`);
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

