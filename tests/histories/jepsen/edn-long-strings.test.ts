// Long EDN strings are cut out before edn-data reads a form and put back after (edn-data builds strings one
// character at a time: a 100 MB value took more heap than V8 has). The value read must be exactly what edn-data
// alone reads, whatever surrounds the strings: escapes, character literals, comments, map keys, discards.
import { describe, expect, it } from 'vitest';
import { cutLongStrings, LONG_STRING_CHARS } from '../../../histories/jepsen/edn-long-strings.js';
import { parseOneForm, toPlain } from '../../../histories/jepsen/edn-values.js';
import { parseEdnHistory } from '../../../histories/jepsen/edn-history.js';
import { Warnings } from '../../../histories/jepsen/warnings.js';

const long = (c: string, extra = 0): string => c.repeat(LONG_STRING_CHARS + extra);

/** What edn-data alone reads. */
function plain(form: string): unknown {
  const p = parseOneForm(form);
  return p.kind === 'value' ? toPlain(p.value, new Warnings(), 'test') : undefined;
}

/** What is read with the long strings cut out and put back. */
function viaCut(form: string): unknown {
  const cut = cutLongStrings(form);
  if (!cut) return plain(form);
  const p = parseOneForm(cut.text);
  return p.kind === 'value' ? cut.restore(toPlain(p.value, new Warnings(), 'test')) : undefined;
}

const a = long('a');
const b = long('b', 7);
const FORMS: Record<string, string> = {
  'a long value': `{:type :ok, :process 0, :f :write, :value "${a}"}`,
  'long strings in a vector, beside short ones': `{:type :ok, :process 0, :f :txn, :value [["append" "${a}" 1] ["r" "k" ["${b}" "x"]]]}`,
  'a long map key': `{:type :ok, :process 0, :f :write, :value {"${a}" 1, :k "${b}"}}`,
  'a long string with every escape': `{:type :ok, :process 0, :f :write, :value "${a}\\"\\n\\t\\r\\b\\f\\\\\\u00e9\\u20AC${b}\\\\"}`,
  'a character literal before it': `{:type :ok, :process 0, :f :write, :value [\\a "${a}" \\b]}`,
  'a comment with a quote': `{:type :ok, ; a "comment\n :process 0, :f :write, :value "${a}"}`,
  'a discarded long string': `{:type :ok, :process 0, :f :write, :value #_ "${a}" "${b}"}`,
  'a set of long strings (left alone)': `{:type :ok, :process 0, :f :read, :value #{"${b}" "${a}"}}`,
  'a string just too short to cut': `{:type :ok, :process 0, :f :write, :value "${'c'.repeat(LONG_STRING_CHARS - 1)}"}`,
};

describe('cutLongStrings', () => {
  for (const [name, form] of Object.entries(FORMS)) {
    it(`reads ${name} exactly as edn-data does`, () => {
      expect(viaCut(form)).toEqual(plain(form));
    });
  }

  it('cuts escape-free long strings only, leaving a short form for edn-data', () => {
    expect(cutLongStrings(FORMS['a long value'])!.text.length).toBeLessThan(200);
    expect(cutLongStrings(FORMS['a long string with every escape'])!.text.length).toBeLessThan(200);
    // An escape edn-data refuses is left to it, so the error is its own.
    expect(cutLongStrings(`{:value "${a}\\q"}`)).toBeUndefined();
    expect(cutLongStrings(`{:value "${a}\\u12G4"}`)).toBeUndefined();
    expect(cutLongStrings(FORMS['a set of long strings (left alone)'])).toBeUndefined();
    expect(cutLongStrings(`{:value "${a}`)).toBeUndefined();
  });

  it('a history whose ops hold long values reads them whole', () => {
    const text = `[{:type :invoke, :process 0, :f :write, :value "${a}"}\n {:type :ok, :process 0, :f :write, :value "${a}"}]`;
    const h = parseEdnHistory(text, { file: 'h.edn' });
    expect(h.ops.map((o) => o.value)).toEqual([a, a]);
  });
});
