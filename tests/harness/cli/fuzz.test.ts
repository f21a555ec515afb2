/**
 * Fuzzing `check` and `convert` with fast-check: histories in JSONL, EDN and jepsen.log form, valid, mutated,
 * truncated, deeply nested and huge. The only outcomes allowed are a verdict (0, 1, 2) or 254 with a one-line
 * message: never 255, never a stack trace. And a mutation that changes what a read returned in a sequential
 * history is never judged valid. In-process (no CLI start per case), so hundreds of cases take seconds.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCommand } from '../../../harness/cli/commands/check.js';
import { convertCommand } from '../../../harness/cli/commands/convert.js';
import { tempDir } from '../../tmp.js';
import { STACK } from './helpers.js';
import { inProcess } from './in-process.js';

type Step = { f: 'write' | 'read'; value: number | bigint };
type Format = 'jsonl' | 'edn' | 'log';
const FORMATS: Format[] = ['jsonl', 'edn', 'log'];

/** A sequential register history: one process, each read returns the last write (so it is linearizable). */
const history = fc
  .array(
    fc.record({
      f: fc.constantFrom<'write' | 'read'>('write', 'read'),
      value: fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.bigInt({ min: 2n ** 53n, max: 2n ** 70n })),
    }),
    { minLength: 1, maxLength: 12 },
  )
  .map((steps) => {
    let last: number | bigint = 0;
    return steps.map((s): Step => {
      if (s.f === 'write') last = s.value;
      return s.f === 'write' ? s : { f: 'read', value: last };
    });
  });

const num = (v: number | bigint): string => String(v);

function render(steps: Step[], format: Format): string {
  const lines: string[] = [];
  steps.forEach((s, i) => {
    const invokeValue = s.f === 'write' ? num(s.value) : format === 'jsonl' ? 'null' : 'nil';
    const ok = num(s.value);
    if (format === 'jsonl') {
      lines.push(`{"index":${2 * i},"type":"invoke","process":0,"f":"${s.f}","value":${invokeValue}}`);
      lines.push(`{"index":${2 * i + 1},"type":"ok","process":0,"f":"${s.f}","value":${ok}}`);
    } else if (format === 'edn') {
      lines.push(`{:process 0 :type :invoke :f :${s.f} :value ${invokeValue}}`);
      lines.push(`{:process 0 :type :ok :f :${s.f} :value ${ok}}`);
    } else {
      lines.push(`INFO [2017-03-29 16:12:45,${String(i).padStart(3, '0')}] jepsen worker 0 - jepsen.util 0\t:invoke\t:${s.f}\t${invokeValue}`);
      lines.push(`INFO [2017-03-29 16:12:45,${String(i).padStart(3, '0')}] jepsen worker 0 - jepsen.util 0\t:ok\t:${s.f}\t${ok}`);
    }
  });
  return format === 'edn' ? `[${lines.join('\n')}]\n` : lines.join('\n') + '\n';
}

/** Ways a file goes bad: cut short, bytes changed, numbers no double holds, nesting, sheer size. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), text: fc.constantFrom('{', '}', '[', '"', ':', ',', '\n', '\\', '\u0000', '\uFFFD', 'nil', '1e400', '-', '#', ';', ' ') }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('number' as const), to: fc.constantFrom('1e400', '-1e400', '1e-400', '99999999999999999999999', '9007199254740993', '0.1e999', 'NaN', 'Infinity', '##Inf', '1.5', '-0') }),
  fc.record({ kind: fc.constant('nest' as const), depth: fc.integer({ min: 1, max: 6000 }) }),
  fc.record({ kind: fc.constant('huge' as const), size: fc.integer({ min: 100_000, max: 2_000_000 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(text: string, m: Mutation, format: Format): string {
  const pos = (at: number): number => Math.floor(at * text.length);
  switch (m.kind) {
    case 'truncate':
      return text.slice(0, pos(m.at));
    case 'insert':
      return text.slice(0, pos(m.at)) + m.text + text.slice(pos(m.at));
    case 'delete':
      return text.slice(0, pos(m.at)) + text.slice(pos(m.at) + m.len);
    case 'number':
      return text.replace(/(-?\d+)(?=[}\n\s])(?![\s\S]*-?\d+(?=[}\n\s]))/, m.to);
    case 'nest':
      return text.replace(/(-?\d+)(?=[}\n\s])(?![\s\S]*-?\d+(?=[}\n\s]))/, (d) => '['.repeat(m.depth) + d + ']'.repeat(m.depth));
    case 'huge': {
      const s = 'x'.repeat(m.size);
      return text.replace(/(-?\d+)(?=[}\n\s])(?![\s\S]*-?\d+(?=[}\n\s]))/, format === 'jsonl' || format === 'edn' ? `"${s}"` : `"${s}"`);
    }
  }
}

const dir = tempDir('faultline-fuzz-');
let n = 0;
function write(text: string, format: Format): string {
  const p = join(dir, `case-${n++}.${format}`);
  writeFileSync(p, text);
  return p;
}

function expectAllowed(r: { code: number; stdout: string; stderr: string }, what: string): void {
  const out = r.stdout + r.stderr;
  expect([0, 1, 2, 254], `${what}\n${out.slice(0, 2000)}`).toContain(r.code);
  expect(out, what).not.toMatch(STACK);
  if (r.code === 254) {
    const lines = out.trim().split('\n').filter((l) => l !== '' && !l.startsWith('warning:'));
    expect(lines.length, `${what}: ${out.slice(0, 500)}`).toBe(1);
  }
}

const opts = { progress: false, timeout: '10', workers: '1' };

describe('fuzzing check and convert', () => {
  for (const format of FORMATS) {
    it(`${format}: valid, mutated, truncated, nested and huge inputs end in a verdict or a one-line 254`, async () => {
      await fc.assert(
        fc.asyncProperty(history, mutation, async (steps, m) => {
          const p = write(mutate(render(steps, format), m, format), format);
          expectAllowed(await inProcess(() => checkCommand([p], opts)), `check ${format} ${JSON.stringify(m).slice(0, 80)}`);
          expectAllowed(await inProcess(() => convertCommand(p, { to: format === 'jsonl' ? 'edn' : 'jsonl' })), `convert ${format}`);
        }),
        { numRuns: 60, seed: 17 },
      );
    });

    it(`${format}: a valid sequential history is valid, and changing what one read returned is never valid`, async () => {
      await fc.assert(
        fc.asyncProperty(
          history.filter((s) => s.some((x) => x.f === 'read')),
          fc.nat(),
          fc.oneof(fc.integer({ min: 1, max: 5 }).map((d) => BigInt(d)), fc.constant(1n)),
          async (steps, pick, delta) => {
            const good = await inProcess(() => checkCommand([write(render(steps, format), format)], { ...opts, model: 'register', initial: '0' }));
            expect(good.code, good.stdout + good.stderr).toBe(0);
            const reads = steps.map((s, i) => (s.f === 'read' ? i : -1)).filter((i) => i >= 0);
            const i = reads[pick % reads.length];
            const changed = steps.map((s, j): Step => {
              if (j !== i) return s;
              // Off by one past 2^53 is what a rounding reader would miss.
              const v = typeof s.value === 'bigint' ? s.value + delta : s.value + Number(delta);
              return { f: 'read', value: v };
            });
            const bad = await inProcess(() => checkCommand([write(render(changed, format), format)], { ...opts, model: 'register', initial: '0' }));
            expect(bad.code, `${format} ${bad.stdout}${bad.stderr}`).toBe(1);
          },
        ),
        { numRuns: 40, seed: 17 },
      );
    });
  }
});
