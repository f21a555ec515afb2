/**
 * Starting a node's processes inside its namespace with `ip netns exec`, which switches namespace and then
 * execs, so the PID we keep is the target's own (waitForExec checks that it really exec'd).
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { isSameProcessAlive, procExe, procStartTime, type ProcRef } from '../kernel/procs.js';
import { sleep } from '../time.js';

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

