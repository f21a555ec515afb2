/**
 * Running the system tools (ip, iptables, nsenter, docker's helpers) that build and fault a kernel runtime's
 * network. Each call is bounded in time, and a failure says which command failed and what the tool printed,
 * since that is what a user needs to fix a missing package or a permission problem.
 */
import { spawnSync } from 'node:child_process';
import { execa } from 'execa';

export class CommandError extends Error {
  constructor(
    readonly command: string[],
    readonly stderr: string,
    readonly code: number | string | null,
  ) {
    super(`\`${command.join(' ')}\` failed (${code}): ${stderr.trim() || 'no output'}`);
    this.name = 'CommandError';
  }
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 20_000;

export async function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  const r = await execa(cmd, args, {
    input: opts.input ?? '',
    timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    maxBuffer: 16 * 1024 * 1024,
    reject: false,
    stripFinalNewline: false,
  });
  if (r.failed) throw new CommandError([cmd, ...args], r.stderr || (r.shortMessage ?? 'failed'), r.exitCode ?? r.signal ?? null);
  return r.stdout;
}

/** Run an argument vector behind a command prefix (`ip netns exec NS`, `nsenter -t PID -n`, ...). */
export function runEntered(enter: readonly string[], argv: readonly string[], input?: string): Promise<string> {
  const [cmd, ...rest] = [...enter, ...argv];
  if (cmd === undefined) throw new Error('runEntered: empty command');
  return run(cmd, rest, { input });
}

/** For the process 'exit' hook, where nothing asynchronous runs any more. Never throws. */
export function runSyncQuiet(cmd: string, args: string[], input?: string): { ok: boolean; stdout: string } {
  try {
    const r = spawnSync(cmd, args, { input, timeout: 10_000, killSignal: 'SIGKILL', encoding: 'utf8' });
    return { ok: r.status === 0, stdout: r.stdout ?? '' };
  } catch {
    return { ok: false, stdout: '' };
  }
}
