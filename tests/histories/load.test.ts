// Loading a history under a memory guard: every format, read from a file too big to read whole, is read in
// pieces that the guard sees go by, and a guard that says "past the budget" stops the read with ReadLimitError
// (never a crash). A small gzipped file that expands past what is gunzipped whole is streamed instead.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ReadLimitError } from '../../histories/errors.js';
import { resolveInput } from '../../histories/input-file.js';
import { loadOpened, openHistory, streamOpened, type OpenedHistory } from '../../histories/load.js';
import type { HistoryFormat } from '../../histories/jepsen/detect.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A sequential register history of `n` writes and reads, in each format we read. */
function history(format: HistoryFormat, n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = i % 3;
    const f = i % 2 === 0 ? 'write' : 'read';
    const v = Math.floor(i / 2);
    for (const type of ['invoke', 'ok']) {
      const value = f === 'read' && type === 'invoke' ? null : v;
      const index = out.length;
      if (format === 'jsonl') out.push(JSON.stringify({ index, type, process: p, f, value }));
      else if (format === 'json') out.push(JSON.stringify({ type, process: p, f, value }));
      else if (format === 'edn') out.push(`{:type :${type}, :process ${p}, :f :${f}, :value ${value ?? 'nil'}}`);
      else out.push(`INFO  jepsen.util - ${p}\t:${type}\t:${f}\t${value ?? 'nil'}`);
    }
  }
  if (format === 'json') return `[${out.join(',\n')}]\n`;
  if (format === 'edn') return `[${out.join('\n ')}]\n`;
  return out.join('\n') + '\n';
}

const FORMATS: HistoryFormat[] = ['jsonl', 'json', 'edn', 'jepsen-log'];

/** The file opened as a big one is: by path, its content not in memory. */
function asBigFile(format: HistoryFormat, n: number): OpenedHistory {
  const path = join(dir, `h-${format}`);
  const text = history(format, n);
  writeFileSync(path, text);
  return { input: path, path, format, bytes: text.length };
}

describe('loadOpened under a guard', () => {
  for (const format of FORMATS) {
    it(`${format}: a big file is read in pieces the guard sees, with the ops a whole read gives`, async () => {
      const src = asBigFile(format, 30_000);
      let calls = 0;
      const h = await loadOpened(src, { guard: () => void calls++ });
      expect(h.ops).toHaveLength(60_000);
      expect(calls).toBeGreaterThan(1);
      // The same history, small: read whole from memory.
      const path = join(dir, `small-${format}`);
      writeFileSync(path, history(format, 100));
      const small = await loadOpened(await openHistory(path));
      expect(small.format).toBe(format);
      expect(small.ops).toEqual(h.ops.slice(0, 200));
    });

    it(`${format}: a guard past its budget stops the read with ReadLimitError, loaded or streamed`, async () => {
      const src = asBigFile(format, 30_000);
      let calls = 0;
      const guard = (): void => {
        if (++calls > 2) throw new ReadLimitError('memory: past the budget, while reading the history');
      };
      await expect(loadOpened(src, { guard })).rejects.toThrow(ReadLimitError);
      calls = 0;
      const s = await streamOpened(src, { guard });
      const drain = async (): Promise<void> => {
        for await (const op of s.ops) void op;
      };
      await expect(drain()).rejects.toThrow(ReadLimitError);
    });
  }

  it('content already in memory (a pipe) is read in pieces too, past what is parsed whole', async () => {
    const text = history('edn', 60_000);
    expect(text.length).toBeGreaterThan(4 << 20);
    let calls = 0;
    const h = await loadOpened({ input: '-', path: '-', format: 'edn', bytes: text.length, data: Buffer.from(text) }, { guard: () => void calls++ });
    expect(h.ops).toHaveLength(120_000);
    expect(calls).toBeGreaterThan(3);
  });
});

describe('resolveInput', () => {
  it('a small gzipped file that expands past 64 MB is streamed, not gunzipped whole', async () => {
    const line = (i: number): string => JSON.stringify({ index: i, type: i % 2 ? 'ok' : 'invoke', process: 0, f: 'write', value: 'x'.repeat(10_000) });
    const lines: string[] = [];
    for (let i = 0; i < 7_000; i++) lines.push(line(i));
    const gz = join(dir, 'bomb.jsonl.gz');
    writeFileSync(gz, gzipSync(lines.join('\n') + '\n', { level: 1 }));
    lines.length = 0;
    const src = await resolveInput(gz);
    expect(src.data).toBeUndefined();
    const h = await loadOpened(await openHistory(gz));
    expect(h.ops).toHaveLength(7_000);
  });
});
