/**
 * What `faultline serve` may hand out: files of one run (or compare) directory of the store, named by
 * `<test>/<id>` and a fixed set of file kinds. Every name is checked against a strict pattern and every
 * resolved path (symlinks followed) must lie inside the store, so no request reaches anything else.
 */
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { historyFile, runPaths } from '../../histories/store.js';

/** A run store's folder and file names: letters, digits, '.', '_', '-', never starting with a dot. */
const SAFE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

export function safeName(s: string | undefined): s is string {
  return s !== undefined && SAFE.test(s);
}

/** The real path of `rel` under `root`, or undefined if it is missing or leaves the store. */
export function insideStore(root: string, ...rel: string[]): string | undefined {
  if (!rel.every(safeName)) return undefined;
  const p = resolve(root, ...rel);
  if (!existsSync(p)) return undefined;
  let real: string;
  let realRoot: string;
  try {
    real = realpathSync(p);
    realRoot = realpathSync(root);
  } catch {
    return undefined;
  }
  return real === realRoot || real.startsWith(realRoot + sep) ? real : undefined;
}

export type RunFileKind = 'report' | 'history' | 'log' | 'results' | 'meta';

/** A file of a run directory by kind; undefined when the run or the file is not there. */
export function runFile(root: string, test: string, id: string, kind: RunFileKind): string | undefined {
  const dir = insideStore(root, test, id);
  if (!dir || !statSync(dir).isDirectory()) return undefined;
  const p = runPaths(dir);
  const path = kind === 'report' ? p.report : kind === 'history' ? historyFile(dir) : kind === 'log' ? p.log : kind === 'results' ? p.results : p.meta;
  // The path is built from the checked directory and a fixed name; check it again in case it is a symlink.
  const name = path.slice(dir.length + 1);
  return insideStore(root, test, id, name);
}

export function nodeLogs(root: string, test: string, id: string): string[] {
  const dir = insideStore(root, test, id, 'nodes');
  if (!dir) return [];
  return readdirSync(dir).filter((f) => safeName(f) && f.endsWith('.log') && insideStore(root, test, id, 'nodes', f) !== undefined).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}

export function nodeLog(root: string, test: string, id: string, name: string): string | undefined {
  return insideStore(root, test, id, 'nodes', name);
}

export interface StoredCompare {
  test: string;
  id: string;
  dir: string;
}

/** `faultline compare` records (<target>-compare/<stamp>/compare.json), newest first. */
export function listCompares(root: string): StoredCompare[] {
  if (!existsSync(root)) return [];
  const out: StoredCompare[] = [];
  for (const test of readdirSync(root)) {
    if (!safeName(test) || !test.endsWith('-compare')) continue;
    const testDir = join(root, test);
    if (!statSync(testDir).isDirectory()) continue;
    for (const id of readdirSync(testDir)) {
      if (safeName(id) && existsSync(join(testDir, id, 'compare.json'))) out.push({ test, id, dir: join(testDir, id) });
    }
  }
  return out.sort((a, b) => (a.id < b.id ? 1 : -1));
}
