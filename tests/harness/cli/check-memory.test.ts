/**
 * `faultline check --max-memory`: the budget bounds the whole process, and running out of it is `unknown`
 * with the memory reason and exit 2 (never a crash, never exit 255).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, STACK } from './helpers.js';

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
