// convert writes its output in pieces (a history's text can pass the longest string V8 holds; as one string it
// ended convert with "Invalid string length"), byte for byte what historyToEdn / opsToJsonl write; and it reads
// under the memory guard: past the budget it stops with the reason and exit 2, not V8's abort.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { convertCommand } from '../../../harness/cli/commands/convert.js';
import { historyToEdn } from '../../../histories/jepsen/edn-history.js';
import { opsToJsonl } from '../../../histories/jsonl-writer.js';
import { loadHistory } from '../../../histories/load.js';
import { inProcess } from './in-process.js';

const memory = vi.hoisted(() => ({ over: false }));
vi.mock('../../../checkers/linear/memory.js', async (original) => {
  const real = await original<typeof import('../../../checkers/linear/memory.js')>();
  return { ...real, memoryExceeded: (...args: Parameters<typeof real.memoryExceeded>) => (memory.over ? 'memory: the process holds 99 MB, past the budget of 64 MB (--max-memory)' : real.memoryExceeded(...args)) };
});

const dir = mkdtempSync(join(tmpdir(), 'faultline-convert-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const src = join(dir, 'h.jsonl');
const lines: string[] = [];
for (let i = 0; i < 10_000; i++) {
  lines.push(JSON.stringify({ index: lines.length, type: 'invoke', process: i % 7, f: 'write', key: i % 3, value: i }));
  lines.push(JSON.stringify({ index: lines.length, type: 'ok', process: i % 7, f: 'write', key: i % 3, value: i }));
}
writeFileSync(src, lines.join('\n') + '\n');

describe('convert', () => {
  it('writes in pieces exactly what the whole-text writers write, to a file and to stdout', async () => {
    const ops = (await loadHistory(src)).ops;
    for (const to of ['edn', 'jsonl'] as const) {
      const out = join(dir, `out.${to}`);
      expect((await inProcess(() => convertCommand(src, { to, output: out }))).code).toBe(0);
      const want = to === 'edn' ? historyToEdn(ops) : opsToJsonl(ops);
      expect(readFileSync(out, 'utf8')).toBe(want);
      const r = await inProcess(() => convertCommand(src, { to }));
      expect(r.stdout).toBe(want);
    }
  });

  it('past the memory budget while reading: the reason and exit 2', async () => {
    memory.over = true;
    try {
      const r = await inProcess(() => convertCommand(src, { to: 'edn', output: join(dir, 'never.edn') }));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/memory: .*, while reading the history/);
    } finally {
      memory.over = false;
    }
  });
});
