// The file fault's disk work: the newest named file is the one damaged; truncation keeps the asked fraction,
// corruption flips bytes in place and nothing else; a running node or a target that names no files is refused.
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { CORRUPT_BYTES, damageNewest, damageStoppedNode, newestFile } from '../../../harness/kernel/data-files.js';
import { UnsupportedFault } from '../../../harness/runtime.js';
import { tempDir } from '../../tmp.js';

function files(): { dir: string; old: string; young: string } {
  const dir = tempDir('fl-files-');
  const old = join(dir, '1.blk');
  const young = join(dir, '2.blk');
  writeFileSync(old, Buffer.alloc(1000, 1));
  writeFileSync(young, Buffer.alloc(1000, 2));
  utimesSync(old, new Date(1_000_000), new Date(1_000_000));
  utimesSync(young, new Date(2_000_000), new Date(2_000_000));
  return { dir, old, young };
}

it('picks the newest existing file, by modification time', () => {
  const { dir, old, young } = files();
  expect(newestFile([old, young, join(dir, 'gone.blk')])).toBe(young);
  expect(newestFile([join(dir, 'gone.blk')])).toBeNull();
});

it('truncates the newest file to the asked fraction and leaves the others alone', () => {
  const { dir, old, young } = files();
  expect(damageNewest([old, young], { mode: 'truncate', at: 0.25 }, dir)).toEqual({ file: '2.blk', mode: 'truncate', size: 1000, kept: 250 });
  expect(readFileSync(young).length).toBe(250);
  expect(readFileSync(old).length).toBe(1000);
});

it('corrupts by flipping bytes in place from the asked offset', () => {
  const { dir, young } = files();
  expect(damageNewest([young], { mode: 'corrupt', at: 0.5 }, dir)).toEqual({ file: '2.blk', mode: 'corrupt', size: 1000, offset: 500, flipped: CORRUPT_BYTES });
  const b = readFileSync(young);
  expect(b.length).toBe(1000);
  const changed = [...b].map((x, i) => (x !== 2 ? i : -1)).filter((i) => i >= 0);
  expect(changed).toEqual(Array.from({ length: CORRUPT_BYTES }, (_, i) => 500 + i));
  expect(b[500]).toBe(2 ^ 0xff);
  // At the very end there is nothing left to flip.
  expect(damageNewest([young], { mode: 'corrupt', at: 1 }, dir)).toMatchObject({ flipped: 0 });
  expect(damageNewest([], { mode: 'corrupt', at: 0 }, dir)).toEqual({ file: null });
});

it('refuses a running node, and a target that names no files', () => {
  const { dir, young } = files();
  expect(() => damageStoppedNode({ node: 'n1', running: true, nodeDir: dir, dataFiles: () => [young] }, { mode: 'truncate', at: 0 })).toThrow(UnsupportedFault);
  expect(() => damageStoppedNode({ node: 'n1', running: false, nodeDir: dir }, { mode: 'truncate', at: 0 })).toThrow(/names? its data files/);
  expect(damageStoppedNode({ node: 'n1', running: false, nodeDir: dir, dataFiles: () => [young] }, { mode: 'truncate', at: 0 })).toMatchObject({ kept: 0 });
});
