// The jepsen.log fast path must give exactly what the full EDN reader gives, or step aside (undefined).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastForm } from '../../../histories/jepsen/edn-fast.js';
import { isKeyword, parseOneForm, toPlain } from '../../../histories/jepsen/edn-values.js';
import { Warnings } from '../../../histories/jepsen/warnings.js';

function full(text: string): { value: unknown; keyword: boolean } {
  const p = parseOneForm(text);
  if (p.kind !== 'value') throw new Error('discarded');
  return { value: toPlain(p.value, new Warnings(), 'test'), keyword: isKeyword(p.value) };
}

describe('edn-fast', () => {
  const covered = ['3', '0', '-12', '123456789012345', ':cas', ':timed-out', ':a.b-c?', 'nil', 'true', 'false', '"x 1 y"', '""', '[1 4]', '[1,4]', '[]', '[:a nil "s" [2 [3]]]', ' [ 1  2 ] ', '[nil nil]'];
  it.each(covered)('reads %s as the full reader does', (text) => {
    const got = fastForm(text);
    expect(got).toBeDefined();
    expect(got).toEqual(full(text));
  });

  // Forms the fast path leaves to the full reader: it must say so rather than guess.
  const declined = ['1.5', '-0', '007', '+5', '3N', '1234567890123456', ':foo/bar', 'sym', '"a\\"b"', '"a\\nb"', '{:a 1}', '#{1 2}', '(1 2)', '[1 {:a 1}]', '[1', '1]', '[1] 2', '#inst "2020"', '[1 ;c\n]', '"unterminated', '[1 "x]'];
  it.each(declined)('declines %s', (text) => {
    expect(fastForm(text)).toBeUndefined();
  });

  it('agrees with the full reader on random vectors of covered atoms', () => {
    const atomArb = fc.oneof(
      fc.integer({ min: -1e6, max: 1e6 }).map(String),
      fc.constantFrom('nil', 'true', 'false', ':ok', ':x-y', '"a b"', '""'),
    );
    const form: fc.Arbitrary<string> = fc.letrec<{ f: string }>((tie) => ({
      f: fc.oneof({ depthSize: 'small' }, atomArb, fc.array(tie('f'), { maxLength: 4 }).map((xs) => `[${xs.join(' ')}]`)),
    })).f;
    fc.assert(
      fc.property(form, (text) => {
        const got = fastForm(text);
        if (got !== undefined) expect(got).toEqual(full(text));
      }),
      { numRuns: 300, seed: 0x0ed2 },
    );
  });
});
