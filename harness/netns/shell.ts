/**
 * The netns runtime's view of the machine: namespaces, root links and the processes in a namespace, listed
 * through `ip`. The generic command runner is kernel/shell.ts.
 */
import { run, runSyncQuiet } from '../kernel/shell.js';

/** The command prefix that runs a program inside namespace `ns`. */
export function enterNs(ns: string): string[] {
  return ['ip', 'netns', 'exec', ns];
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
