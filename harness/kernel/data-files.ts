/**
 * The file fault's work on a stopped node's disk: pick the newest of the data files its target names (by
 * modification time, so the file the node was writing when it died) and truncate or corrupt it, as the 2025
 * Jepsen NATS analysis did to JetStream's block files. Shared by the kernel runtimes whose node folders are
 * on this machine's disk (netns directly, docker through the bind mount).
 */
import { closeSync, openSync, readSync, statSync, truncateSync, writeSync } from 'node:fs';
import { relative } from 'node:path';
import { UnsupportedFault, type FileDamage } from '../runtime.js';

/** Bytes a corruption flips (each XOR 0xff), from the chosen offset on. */
export const CORRUPT_BYTES = 64;

/** The newest existing file of `files`, or null when there is none. */
export function newestFile(files: readonly string[]): string | null {
  let best: { path: string; mtime: number } | null = null;
  for (const path of files) {
    let mtime: number;
    try {
      const st = statSync(path);
      if (!st.isFile()) continue;
      mtime = st.mtimeMs;
    } catch {
      continue;
    }
    if (!best || mtime > best.mtime || (mtime === best.mtime && path > best.path)) best = { path, mtime };
  }
  return best?.path ?? null;
}

/**
 * Damage the newest of `files`: truncate it to `at` of its length, or flip CORRUPT_BYTES bytes from `at` of
 * its length. Returns what was done (paths relative to `root`), or `{file: null}` when there was no file.
 */
export function damageNewest(files: readonly string[], damage: FileDamage, root: string): Record<string, unknown> {
  const file = newestFile(files);
  if (file === null) return { file: null };
  const size = statSync(file).size;
  const offset = Math.min(size, Math.floor(size * damage.at));
  const name = relative(root, file);
  if (damage.mode === 'truncate') {
    truncateSync(file, offset);
    return { file: name, mode: 'truncate', size, kept: offset };
  }
  const n = Math.min(CORRUPT_BYTES, size - offset);
  if (n <= 0) return { file: name, mode: 'corrupt', size, offset, flipped: 0 };
  const fd = openSync(file, 'r+');
  try {
    const buf = Buffer.alloc(n);
    readSync(fd, buf, 0, n, offset);
    for (let i = 0; i < n; i++) buf[i] ^= 0xff;
    writeSync(fd, buf, 0, n, offset);
  } finally {
    closeSync(fd);
  }
  return { file: name, mode: 'corrupt', size, offset, flipped: n };
}

/** A kernel runtime's damageFile: refuse a running node or a target that names no files, else damage. */
export function damageStoppedNode(o: { node: string; running: boolean; nodeDir: string; dataFiles?: (nodeDir: string) => string[] }, damage: FileDamage): Record<string, unknown> {
  if (!o.dataFiles) throw new UnsupportedFault('the file fault needs the target to name its data files, and this one does not');
  if (o.running) throw new UnsupportedFault(`the file fault damages ${o.node}'s files only while it is down, and it is running`);
  return damageNewest(o.dataFiles(o.nodeDir), damage, o.nodeDir);
}
