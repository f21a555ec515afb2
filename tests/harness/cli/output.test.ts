// --json output longer than one string can be (~512 MB; a counterexample whose ops hold values of ~100 MB ended
// `check --json` with "Invalid string length", exit 255) is written in pieces, with JSON.stringify's exact text.
import { describe, expect, it, vi } from 'vitest';
import { printJson, writeJsonPieces } from '../../../harness/cli/output.js';
import { toJsonText } from '../../../histories/exact-json.js';

const tooLong = vi.hoisted(() => ({ marker: Symbol('too long') }));
vi.mock('../../../histories/exact-json.js', async (original) => {
  const real = await original<typeof import('../../../histories/exact-json.js')>();
  return {
    ...real,
    // Stands for a text past V8's longest string: the whole object marked so cannot be one string.
    toJsonText: (v: unknown, indent?: number) => {
      if (v !== null && typeof v === 'object' && (v as Record<symbol, unknown>)[tooLong.marker]) throw new RangeError('Invalid string length');
      return real.toJsonText(v, indent);
    },
  };
});

const SAMPLES: unknown[] = [
  { file: 'h.jsonl', valid: false, ops: 6, anomalies: [{ kind: 'nonlinearizable', ops: [{ index: 0, value: 'a"\\\n\u2028é' }] }], stats: {} },
  [1, undefined, () => 1, null, [], {}, [[['deep']]]],
  { a: undefined, b: 2, c: { d: [true, false, -0, 1.5e300] }, e: new Date(0), big: 12345678901234567890n },
  'just a string',
  42,
  null,
  { '': 1, 'key with "quotes"': [{}] },
];

describe('--json output', () => {
  it('in pieces is exactly the whole text', () => {
    for (const v of SAMPLES) {
      const parts: string[] = [];
      writeJsonPieces(v, (p) => parts.push(p));
      expect(parts.join('')).toBe(toJsonText(v));
    }
  });

  it('printJson writes an object too long for one string in pieces, not a crash', () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (out.push(String(c)), true));
    const value = { file: 'h.jsonl', valid: false, anomalies: [{ ops: [{ value: 'x'.repeat(1000) }] }], [tooLong.marker]: true };
    try {
      printJson(value);
    } finally {
      spy.mockRestore();
    }
    expect(out.join('')).toBe(`${JSON.stringify(value)}\n`);
  });
});
