/**
 * Running the system tools (ip, iptables, tc) that build and fault the network. Each call is bounded in
 * time, and a failure says which command failed and what the tool printed, since that is what a user needs
 * to fix a missing package or a permission problem.
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

/** For the process 'exit' hook, where nothing asynchronous runs any more. Never throws. */
export function runSyncQuiet(cmd: string, args: string[], input?: string): { ok: boolean; stdout: string } {
  try {
    const r = spawnSync(cmd, args, { input, timeout: 10_000, killSignal: 'SIGKILL', encoding: 'utf8' });
    return { ok: r.status === 0, stdout: r.stdout ?? '' };
  } catch {
    return { ok: false, stdout: '' };
  }
}

/** `ip netns exec <ns> <cmd...>` as an argument list for run(). */
export function inNs(ns: string, cmd: string, args: string[]): [string, string[]] {
  return ['ip', ['netns', 'exec', ns, cmd, ...args]];
}

export async function listNamespaces(): Promise<string[]> {
  const out = await run('ip', ['netns', 'list']);
  return parseNetnsList(out);
}

export function listNamespacesSync(): string[] {
  return parseNetnsList(runSyncQuiet('ip', ['netns', 'list']).stdout);
}

function parseNetnsList(out: string): string[] {
  // Lines look like "name" or "name (id: 3)".
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter((s): s is string => !!s);
}

/** Interface names in the root namespace. */
export async function listRootLinks(): Promise<string[]> {
  const out = await run('ip', ['-o', 'link', 'show']);
  return parseLinks(out);
}

export function listRootLinksSync(): string[] {
  return parseLinks(runSyncQuiet('ip', ['-o', 'link', 'show']).stdout);
}

function parseLinks(out: string): string[] {
  // "8: flabc123r0@if7: <BROADCAST,...": the name is the second field, without "@peer".
  return out
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter((s): s is string => !!s);
}

/** PIDs of every process living in a namespace. */
export async function namespacePids(ns: string): Promise<number[]> {
  try {
    const out = await run('ip', ['netns', 'pids', ns]);
    return out.split(/\s+/).filter(Boolean).map(Number).filter(Number.isInteger);
  } catch {
    return [];
  }
}

export function namespacePidsSync(ns: string): number[] {
  return runSyncQuiet('ip', ['netns', 'pids', ns]).stdout.split(/\s+/).filter(Boolean).map(Number).filter(Number.isInteger);
}
