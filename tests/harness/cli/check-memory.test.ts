/**
 * `faultline check --max-memory`: the budget bounds the whole process, and running out of it is `unknown`
 * with the memory reason and exit 2 (never a crash, never exit 255).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cli, ROOT, STACK } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-check-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 20 adds that never answered and a read of an element nobody added: to say "not linearizable" the search must
// remember every subset of the adds (a million), far more than the budget below leaves it.
const ops: Record<string, unknown>[] = [];
for (let p = 0; p < 20; p++) ops.push({ index: ops.length, type: 'invoke', process: p, f: 'add', key: 'k', value: p });
ops.push({ index: ops.length, type: 'invoke', process: 40, f: 'read', key: 'k', value: null });
ops.push({ index: ops.length, type: 'ok', process: 40, f: 'read', key: 'k', value: [...Array.from({ length: 20 }, (_, i) => i), 99] });
const file = join(dir, 'explosive.jsonl');
writeFileSync(file, ops.map((o) => JSON.stringify(o)).join('\n') + '\n');

describe('check --max-memory', () => {
  it('a history that needs more than the budget ends unknown with the memory reason, exit 2', () => {
    const r = cli(['check', file, '--model', 'set', '--max-memory', '120', '--json']);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout.trim().split('\n')[0]) as { valid: unknown; reason: string; stats: { limit?: string } };
    expect(out.valid).toBe('unknown');
    expect(out.reason).toMatch(/memory: the process .* past the budget of 120 MB \(--max-memory\)/);
    expect(out.stats.limit).toBe('memory');

    const text = cli(['check', file, '--model', 'set', '--max-memory', '120']);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/memory: the process/);
  });
});

/** A sequential register history of 100k ops (7-8 MB: read in pieces, not whole), in each format check reads. */
function registerHistory(format: 'jsonl' | 'json' | 'edn' | 'log'): string {
  const out: string[] = [];
  for (let i = 0; i < 50_000; i++) {
    const f = i % 2 === 0 ? 'write' : 'read';
    for (const type of ['invoke', 'ok']) {
      const value = f === 'read' && type === 'invoke' ? null : i >> 1;
      if (format === 'jsonl') out.push(JSON.stringify({ index: out.length, type, process: i % 5, f, value }));
      else if (format === 'json') out.push(JSON.stringify({ type, process: i % 5, f, value }));
      else if (format === 'edn') out.push(`{:type :${type}, :process ${i % 5}, :f :${f}, :value ${value ?? 'nil'}}`);
      else out.push(`INFO  jepsen.util - ${i % 5}\t:${type}\t:${f}\t${value ?? 'nil'}`);
    }
  }
  if (format === 'json') return `[${out.join(',\n')}]\n`;
  if (format === 'edn') return `[${out.join('\n ')}]\n`;
  return out.join('\n') + '\n';
}

describe('check --max-memory while reading', () => {
  for (const format of ['jsonl', 'json', 'edn', 'log'] as const) {
    it(`${format}: a history that does not fit the budget stops the read with unknown, exit 2`, () => {
      const path = join(dir, `register.${format}`);
      writeFileSync(path, registerHistory(format));
      const r = cli(['check', path, '--model', 'cas-register', '--max-memory', '64', '--json']);
      expect(r.stderr).not.toMatch(STACK);
      expect(r.code).toBe(2);
      const out = JSON.parse(r.stdout.trim().split('\n')[0]) as { valid: unknown; reason: string; stats: { limit?: string; phase?: string } };
      expect(out.valid).toBe('unknown');
      expect(out.reason).toMatch(/^memory: .*--max-memory\), while reading the history$/);
      expect(out.stats).toEqual({ limit: 'memory', phase: 'read' });
    });
  }

  it('the same from standard input (gzipped), and with a checker that streams', () => {
    const gz = gzipSync(registerHistory('jsonl'));
    const r = spawnCli(['check', '-', '--checker', 'set', '--max-memory', '64'], gz);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/could not decide: memory: .*, while reading the history/);
  });
});

function spawnCli(args: string[], input: Buffer): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'faultline.js'), ...args], { input, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
