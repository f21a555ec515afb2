// EDN read op by op (streamEdnHistory, fed in pieces of any size) gives the same ops, warnings and errors as
// read whole (parseEdnHistory), on the Knossos corpus and on hand-made good and broken histories; the set
// checker fed the streamed ops of a set history answers as on the whole history.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEdnHistory, streamEdnHistory } from '../../../histories/jepsen/edn-history.js';
import { checkSet } from '../../../checkers/set.js';
import type { Op } from '../../../histories/op.js';
import { KNOSSOS } from '../../paths.js';
import { pieces } from './helpers.js';

async function streamed(text: string, max: number, independent: boolean | 'auto' = 'auto', once = false): Promise<{ ops: Op[]; warnings: string[] } | { error: string }> {
  const warnings: string[] = [];
  const ops: Op[] = [];
  try {
    for await (const op of streamEdnHistory(pieces(text, max), { file: 'h.edn', independent }, (w) => warnings.push(...w), once)) ops.push(op);
  } catch (e) {
    return { error: (e as Error).message };
  }
  return { ops, warnings };
}

function whole(text: string, independent: boolean | 'auto' = 'auto'): { ops: Op[]; warnings: string[] } | { error: string } {
  try {
    const r = parseEdnHistory(text, { file: 'h.edn', independent });
    return { ops: r.ops, warnings: r.warnings };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function ednFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? ednFiles(p) : p.endsWith('.edn') ? [p] : [];
  });
}

describe('EDN streamed', () => {
  it('equals the whole read on every Knossos history, in pieces of 1-16 and 1-4096 characters', async () => {
    const files = ednFiles(KNOSSOS);
    expect(files.length).toBeGreaterThan(50);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const want = whole(text);
      expect(await streamed(text, 4096), f).toEqual(want);
      // Read once, holding the raw op maps (a history loaded whole): the same again.
      expect(await streamed(text, 4096, 'auto', true), f).toEqual(want);
      if (text.length < 20_000) expect(await streamed(text, 16), f).toEqual(want);
    }
  });

  const cases: [string, string][] = [
    ['a sequence of maps with comments, a set and a discard', '; a comment\n{:type :invoke, :process 0, :f :add, :value #{1 2}}\n#_{:x 1}\n{:type :ok, :process 0, :f :add, :value #{1 2}} ; done\n'],
    ['independent tuples and a character literal', '[{:type :invoke, :process 0, :f :write, :value [:k 1], :c \\\\)}\n {:type :ok, :process 0, :f :write, :value [:k 1]}]'],
    ['strings with escapes and brackets', '[{:type :invoke, :process 0, :f :write, :value "a]\\\\"}"}\n{:type :ok, :process 0, :f :write, :value "a]\\\\"}"}]'],
    ['indices that are renumbered', '[{:index 5, :type :invoke, :process 0, :f :read}\n{:type :ok, :process 0, :f :read, :value 1}]'],
    ['only comments', '; nothing\n; here\n'],
    ['a BOM and blank lines before', '\uFEFF\n\n\n[{:type :invoke, :process 0, :f :read}]'],
    ['an unclosed vector', '[{:type :invoke, :process 0, :f :read}\n{:type :ok, :process 0, :f :read, :value 1}'],
    ['an unterminated string', '[{:type :invoke, :process 0, :f :write, :value "abc}]'],
    ['a map with a key and no value', '[{:type :invoke, :process 0, :f}]'],
    ['content after the history vector', '[{:type :invoke, :process 0, :f :read}] {:type :ok}'],
    ['a bad field after a malformed number', '[{:type :invoke, :process -3, :f :read}\n{:type :ok, :process 0, :f :read, :value 12x}]'],
    ['a vector where an op map goes', '[[1 2]]'],
    ['a long string over many lines, with escapes, then a bad op', `[{:type :invoke, :process 0, :f :write, :value "${'ab\\"\n'.repeat(40)}"}\n{:type :ok, :process -1, :f :write}]`],
  ];
  for (const [name, text] of cases) {
    it(`equals the whole read: ${name}`, async () => {
      const want = whole(text);
      for (const max of [1, 3, 64]) expect(await streamed(text, max)).toEqual(want);
      expect(await streamed(text, 3, 'auto', true)).toEqual(want);
    });
  }

  it('refuses a forced independent history without tuples as the whole read does', async () => {
    const text = '[{:type :invoke, :process 0, :f :write, :value [:k 1]}\n{:type :ok, :process 0, :f :write, :value 2}]';
    const want = whole(text, true);
    expect(want).toHaveProperty('error');
    expect(await streamed(text, 5, true)).toEqual(want);
    expect(await streamed(text, 5, true, true)).toEqual(want);
  });

  for (const lose of [false, true]) {
    it(`the set checker answers as on the whole history (${lose ? 'a lost element' : 'nothing lost'})`, async () => {
      const lines: string[] = [];
      const added: number[] = [];
      for (let e = 1; e <= 60; e++) {
        lines.push(`{:type :invoke, :process ${e % 4}, :f :add, :value ${e}}`, `{:type :ok, :process ${e % 4}, :f :add, :value ${e}}`);
        added.push(e);
        if (e % 3 === 0) {
          const seen = added.filter((x) => !(lose && x === 10 && e > 20));
          lines.push('{:type :invoke, :process 9, :f :read, :value nil}', `{:type :ok, :process 9, :f :read, :value [${seen.join(' ')}]}`);
        }
      }
      const text = `[${lines.join('\n ')}]\n`;
      const got = await streamed(text, 200);
      if ('error' in got) throw new Error(got.error);
      const want = parseEdnHistory(text).ops;
      expect(checkSet(got.ops, { linearizable: true })).toEqual(checkSet(want, { linearizable: true }));
      expect(checkSet(got.ops, { linearizable: true }).valid).toBe(!lose);
    });
  }
});
