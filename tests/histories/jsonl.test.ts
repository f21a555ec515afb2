import { readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { tempDir } from '../tmp.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonlWriter, opsToJsonl } from '../../histories/jsonl-writer.js';
import { readJsonl } from '../../histories/jsonl-reader.js';
import { InputError } from '../../histories/errors.js';
import { byKey, byProcess, pairOps } from '../../histories/views.js';

const tmp = () => tempDir('faultline-jsonl-');

function sample(path: string, n: number): void {
  const w = new JsonlWriter(path);
  for (let i = 0; i < n; i++) {
    w.append({ type: 'invoke', process: i % 3, time: i * 10, f: 'write', key: i % 2, value: i });
    w.append({ type: 'ok', process: i % 3, time: i * 10 + 5, f: 'write', key: i % 2, value: i, node: 'n1' });
  }
  w.close();
}

describe('JSONL history', () => {
  it('writes dense indices and reads back exactly what was written', async () => {
    const p = join(tmp(), 'h.jsonl');
    sample(p, 50);
    const { ops, warnings } = await readJsonl(p);
    expect(warnings).toEqual([]);
    expect(ops).toHaveLength(100);
    expect(ops.map((o) => o.index)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(ops[1]).toMatchObject({ type: 'ok', process: 0, f: 'write', key: 0, value: 0, node: 'n1' });
  });

  it('each op is on disk as soon as append returns (a kill -9 loses at most the op in flight)', () => {
    const p = join(tmp(), 'h.jsonl');
    const w = new JsonlWriter(p);
    w.append({ type: 'invoke', process: 0, time: 1, f: 'read', value: null });
    // Read the file while the writer is still open: nothing is buffered in the process.
    expect(readFileSync(p, 'utf8').trim().split('\n')).toHaveLength(1);
    w.close();
  });

  it('keeps every complete op of a history cut mid-line, with a warning', async () => {
    const p = join(tmp(), 'h.jsonl');
    sample(p, 5);
    appendFileSync(p, '{"index":10,"type":"invoke","pro');
    const warned: string[] = [];
    const { ops, warnings } = await readJsonl(p, { onWarning: (w) => warned.push(w) });
    expect(ops).toHaveLength(10);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/:11: last line is incomplete/);
    expect(warned).toEqual(warnings);
  });

  it('names the line of a malformed line in the middle', async () => {
    const p = join(tmp(), 'h.jsonl');
    sample(p, 5);
    const lines = readFileSync(p, 'utf8').split('\n');
    lines[3] = '{"index":3,"type":"okay","process":1,"f":"write"}';
    writeFileSync(p, lines.join('\n'));
    const err = await readJsonl(p).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.line).toBe(4);
    expect(err.describe()).toMatch(/h\.jsonl:4: not a history op: field "type"/);
  });

  it('rejects broken JSON in the middle and indices out of order', async () => {
    const p = join(tmp(), 'h.jsonl');
    writeFileSync(p, '{"index":0,"type":"invoke","process":0,"f":"read"}\n{oops\n{"index":1,"type":"ok","process":0,"f":"read"}\n');
    const e1 = await readJsonl(p).catch((e) => e);
    expect(e1.line).toBe(2);
    expect(e1.message).toMatch(/not valid JSON/);
    writeFileSync(p, '{"index":0,"type":"invoke","process":0,"f":"read"}\n{"index":2,"type":"ok","process":0,"f":"read"}\n');
    const e2 = await readJsonl(p).catch((e) => e);
    expect(e2.line).toBe(2);
    expect(e2.message).toMatch(/index 2 where 1 was expected/);
  });

  it('reads lines split across read chunks', async () => {
    const p = join(tmp(), 'big.jsonl');
    const w = new JsonlWriter(p);
    // Long values push lines across the 1 MiB chunk boundary.
    for (let i = 0; i < 300; i++) w.append({ type: 'invoke', process: 0, f: 'write', value: 'x'.repeat(10_000 + i) });
    w.close();
    const { ops } = await readJsonl(p);
    expect(ops).toHaveLength(300);
    expect((ops[299].value as string).length).toBe(10_299);
  });

  it('serialises ops in one canonical field order', () => {
    const text = opsToJsonl([{ value: 1, f: 'write', process: 2, type: 'ok', index: 0, zeta: 1, alpha: 2 } as never]);
    expect(text).toBe('{"index":0,"type":"ok","process":2,"f":"write","value":1,"alpha":2,"zeta":1}\n');
  });
});

describe('history views', () => {
  const ops = [
    { index: 0, type: 'invoke', process: 0, f: 'write', key: 'a', value: 1 },
    { index: 1, type: 'invoke', process: 1, f: 'read', key: 'b' },
    { index: 2, type: 'info', process: 'nemesis', f: 'start-kill' },
    { index: 3, type: 'ok', process: 0, f: 'write', key: 'a', value: 1 },
  ] as const;

  it('pairs invokes with completions and leaves unfinished ones open', () => {
    const pairs = pairOps(ops as never);
    expect(pairs).toHaveLength(2);
    expect(pairs[0].completion?.index).toBe(3);
    expect(pairs[1].completion).toBeUndefined();
  });

  it('rejects a process that invokes twice without completing', () => {
    const bad = [ops[0], { ...ops[0], index: 1 }];
    expect(() => pairOps(bad as never)).toThrow(/process 0 invoked op 1 while its op 0 had not completed/);
  });

  it('groups by process and by key', () => {
    expect([...byProcess(ops as never).keys()]).toEqual([0, 1, 'nemesis']);
    expect(byKey(ops as never).get('a')).toHaveLength(2);
    expect(byKey(ops as never).get(undefined)).toHaveLength(1);
  });
});
