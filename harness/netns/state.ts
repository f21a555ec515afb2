/**
 * One state file per run, written before any kernel object exists and updated whenever a process starts,
 * so a crashed run can be cleaned up by `faultline cleanup`. It lives under /run (a tmpfs): after a reboot
 * the namespaces and processes are gone as well, and so are the files.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const DEFAULT_STATE_DIR = '/run/faultline/netns';

const ProcRefSchema = z.object({ pid: z.number().int().positive(), startTime: z.string() });

export const RunStateSchema = z.object({
  runId: z.string(),
  tag: z.string(),
  subnet: z.string(),
  /** The harness process that owns the run: while it lives, a cleanup of "all runs" leaves the run alone. */
  owner: ProcRefSchema,
  namespaces: z.array(z.string()),
  rootLinks: z.array(z.string()),
  procs: z.array(ProcRefSchema.extend({ node: z.string(), name: z.string() })),
  createdAt: z.string(),
});
export type RunState = z.infer<typeof RunStateSchema>;

export function statePath(dir: string, tag: string): string {
  return join(dir, `${tag}.json`);
}

/** Subnet reservations: a file per /24 in use, created exclusively so two runs never pick the same one. */
export function subnetLockPath(dir: string, subnet: string): string {
  return join(dir, `subnet-${subnet}.lock`);
}

export function tryReserveSubnet(dir: string, subnet: string, tag: string): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(subnetLockPath(dir, subnet), tag, { flag: 'wx' });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

export function releaseSubnet(dir: string, subnet: string, tag: string): void {
  const p = subnetLockPath(dir, subnet);
  try {
    if (readFileSync(p, 'utf8').trim() === tag) rmSync(p, { force: true });
  } catch {
    /* already gone */
  }
}

export function writeState(dir: string, state: RunState): void {
  mkdirSync(dir, { recursive: true });
  const p = statePath(dir, state.tag);
  // Write-then-rename: a crash mid-write must not leave a file cleanup cannot parse.
  writeFileSync(`${p}.tmp`, JSON.stringify(state, null, 2));
  renameSync(`${p}.tmp`, p);
}

export function removeState(dir: string, tag: string): void {
  rmSync(statePath(dir, tag), { force: true });
}

export function readState(path: string): RunState | null {
  try {
    const parsed = RunStateSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function listStates(dir: string): RunState[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => /^[0-9a-f]{6}\.json$/.test(n))
    .map((n) => readState(join(dir, n)))
    .filter((s): s is RunState => s !== null);
}

export function listSubnetLocks(dir: string): { subnet: string; tag: string; ageMs: number }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: { subnet: string; tag: string; ageMs: number }[] = [];
  for (const n of names) {
    const m = /^subnet-(.+)\.lock$/.exec(n);
    if (!m) continue;
    try {
      const p = join(dir, n);
      out.push({ subnet: m[1], tag: readFileSync(p, 'utf8').trim(), ageMs: Date.now() - statSync(p).mtimeMs });
    } catch {
      /* raced with a release */
    }
  }
  return out;
}
