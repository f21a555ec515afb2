/** Gzipped histories read exactly as plain ones, by every reader; a damaged archive is bad input. */
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gzipInPlace, readContent, readContentHead } from '../../histories/compressed.js';
import { readJsonl } from '../../histories/jsonl-reader.js';
import { loadHistory } from '../../histories/load.js';
import { InputError } from '../../histories/errors.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'faultline-gz-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function history(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = i % 7;
    lines.push(JSON.stringify({ index: 2 * i, type: 'invoke', process: p, time: 10 * i, f: 'write', key: i % 3, value: i }));
    lines.push(JSON.stringify({ index: 2 * i + 1, type: 'ok', process: p, time: 10 * i + 5, f: 'write', key: i % 3, value: i }));
  }
  return lines.join('\n') + '\n';
}

describe('gzipped histories', () => {
  it('a run directory reads the same before and after its history is gzipped', async () => {
    const dir = tmp();
    const path = join(dir, 'history.jsonl');
    writeFileSync(path, history(20_000));
    const before = await readJsonl(path);
    const loadedBefore = await loadHistory(dir);
    const plainBytes = readFileSync(path).length;
    const gz = await gzipInPlace(path);
    expect(existsSync(path)).toBe(false);
    expect(readFileSync(gz).length).toBeLessThan(plainBytes / 4);
    const after = await readJsonl(gz);
    expect(after.ops).toEqual(before.ops);
    const loadedAfter = await loadHistory(dir);
    expect(loadedAfter.ops).toEqual(loadedBefore.ops);
    expect(loadedAfter.format).toBe('jsonl');
    expect(loadedAfter.path).toBe(gz);
    expect((await readContentHead(gz, 100)).length).toBe(100);
    expect(readContent(gz)).toBe(history(20_000));
  });

  it('an EDN history gzipped under any name is still told from its content', async () => {
    const dir = tmp();
    const path = join(dir, 'h.edn');
    writeFileSync(path, '[{:type :invoke, :f :write, :value 1, :process 0}\n {:type :ok, :f :write, :value 1, :process 0}]\n');
    const gz = await gzipInPlace(path);
    const h = await loadHistory(gz);
    expect(h.format).toBe('edn');
    expect(h.ops.map((o) => o.type)).toEqual(['invoke', 'ok']);
  });

  it('a damaged archive is an InputError naming the file, not a crash', async () => {
    const dir = tmp();
    const path = join(dir, 'history.jsonl');
    writeFileSync(path, history(5000));
    const gz = await gzipInPlace(path);
    const buf = readFileSync(gz);
    writeFileSync(gz, buf.subarray(0, Math.floor(buf.length / 2)));
    const err = await readJsonl(gz).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).describe()).toMatch(/history\.jsonl\.gz.*damaged/);
  });
});
