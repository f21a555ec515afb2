/** Reading EDN histories: value mapping, both shapes, indices, independent tuples, and errors with their lines. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../histories/errors.js';
import { parseEdnHistory } from '../../../histories/jepsen/edn-history.js';

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

describe('EDN values', () => {
  it('maps keywords, nil, vectors, maps, sets and extra fields', () => {
    const { ops, warnings } = parseEdnHistory(
      `[{:type :invoke, :f :start, :process :nemesis, :value {:n1 #{:n3 :n2}, "n4" [1 nil]}, :jepsen/extra :a/b, :note "x"}]`,
    );
    expect(warnings).toEqual([]);
    expect(ops).toEqual([
      { index: 0, type: 'invoke', process: 'nemesis', f: 'start', value: { n1: ['n2', 'n3'], n4: [1, null] }, 'jepsen/extra': 'a/b', note: 'x' },
    ]);
  });

  it('sorts set elements so every read gives the same array', () => {
    const { ops } = parseEdnHistory(`[{:type :ok, :f :read, :process 0, :value #{3 1 "b" 2 "a" nil}}]`);
    expect(ops[0].value).toEqual([null, 1, 2, 3, 'a', 'b']);
  });

  it('keeps nil values, and leaves absent :value and :time absent', () => {
    const { ops } = parseEdnHistory(`[{:type :invoke, :f :read, :process 0, :value nil}\n {:type :ok, :f :read, :process 0}]`);
    expect(ops[0]).toHaveProperty('value', null);
    expect(ops[1]).not.toHaveProperty('value');
    expect(ops[0]).not.toHaveProperty('time');
  });

  it('decodes string escapes', () => {
    const { ops } = parseEdnHistory(String.raw`[{:type :ok, :f :read, :process 0, :value "q\"b\\s\nn\tt\u00e9 ;not a comment ]"}]`);
    expect(ops[0].value).toBe('q"b\\s\nn\tt\u00e9 ;not a comment ]');
  });

  it('keeps integers beyond 2^53 exact, as BigInts (numbers, never strings that could equal a string value)', () => {
    const { ops, warnings } = parseEdnHistory(
      `[{:type :ok, :f :read, :process 0, :value [9007199254740993 9007199254740991 -123456789012345678901 12N]}]`,
      { file: 'h.edn' },
    );
    expect(ops[0].value).toEqual([9007199254740993n, 9007199254740991, -123456789012345678901n, 12]);
    expect(warnings).toEqual([]);
  });

  it('skips comments and #_ discarded forms, and unwraps tagged op records', () => {
    const { ops, warnings } = parseEdnHistory(
      [
        '; a history',
        '[{:type :invoke, :f :read, :process 0} ; trailing comment with ] and }',
        ' #_ {:type :ok, :f :read, :process 0}',
        ' #jepsen.history.Op{:type :ok, :f :read, :process 0, :value 3}]',
      ].join('\n'),
    );
    expect(ops.map((o) => [o.index, o.type, o.value])).toEqual([
      [0, 'invoke', undefined],
      [1, 'ok', 3],
    ]);
    expect(warnings.join()).toMatch(/#jepsen\.history\.Op dropped/);
  });

  it('reads floats, booleans and character literals', () => {
    const { ops } = parseEdnHistory(String.raw`[{:type :ok, :f :read, :process 0, :value [1.5 -2e3 true false \a]}]`);
    expect(ops[0].value).toEqual([1.5, -2000, true, false, 'a']);
  });
});

describe('EDN shapes', () => {
  it('reads one op map per line (history.edn) and keeps dense :index values', () => {
    const text = [
      '{:index 0, :time 10, :type :invoke, :process 0, :f :write, :value 1}',
      '{:index 1, :time 20, :type :ok, :process 0, :f :write, :value 1}',
      '{:index 2, :time 30, :type :info, :process :nemesis, :f :kill, :value nil}',
      '',
    ].join('\n');
    const { ops, warnings } = parseEdnHistory(text);
    expect(warnings).toEqual([]);
    expect(ops.map((o) => [o.index, o.time, o.type, o.process])).toEqual([
      [0, 10, 'invoke', 0],
      [1, 20, 'ok', 0],
      [2, 30, 'info', 'nemesis'],
    ]);
  });

  it('reads a top-level list, and maps spread over several lines', () => {
    const { ops } = parseEdnHistory('({:type :invoke,\n  :f :read,\n  :process 1}\n {:type :ok, :f :read, :process 1, :value 2})');
    expect(ops).toHaveLength(2);
    expect(ops[1]).toMatchObject({ index: 1, type: 'ok', value: 2 });
  });

  it('assigns dense indices when there are none', () => {
    const { ops } = parseEdnHistory('[{:type :invoke, :f :read, :process 1} {:type :ok, :f :read, :process 1}]');
    expect(ops.map((o) => o.index)).toEqual([0, 1]);
  });

  it('renumbers and warns when :index values are not dense and in order', () => {
    const text = '{:index 0, :type :invoke, :f :read, :process 1}\n{:index 5, :type :ok, :f :read, :process 1}\n';
    const { ops, warnings } = parseEdnHistory(text, { file: 'x.edn' });
    expect(ops.map((o) => o.index)).toEqual([0, 1]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^x\.edn:2: ops were renumbered/);
  });

  it('treats an empty file as a history with no ops, and says so', () => {
    const r = parseEdnHistory('', { file: 'empty.edn' });
    expect(r.ops).toEqual([]);
    expect(r.warnings).toEqual(['empty.edn: the file is empty (a history with no ops)']);
    expect(parseEdnHistory('[]\n').ops).toEqual([]);
  });
});

describe('independent histories', () => {
  const independent = [
    '[{:type :invoke, :f :write, :value [3 4], :process 0}',
    ' {:type :ok, :f :write, :value [3 4], :process 0}',
    ' {:type :invoke, :f :cas, :value [7 [4 1]], :process 1}',
    ' {:type :info, :f :start, :value [:a :b], :process :nemesis}',
    ' {:type :fail, :f :cas, :value [7 [4 1]], :process 1}',
    ' {:type :invoke, :f :read, :value ["k" nil], :process 2}]',
  ].join('\n');

  it('detects [k v] tuples on every client op and unwraps them into key + value', () => {
    const { ops } = parseEdnHistory(independent);
    expect(ops.map((o) => [o.key, o.value])).toEqual([
      [3, 4],
      [3, 4],
      [7, [4, 1]],
      [undefined, ['a', 'b']], // nemesis ops are never tuples
      [7, [4, 1]],
      ['k', null],
    ]);
  });

  it('does not mistake a plain cas register for an independent history', () => {
    const cas = [
      '[{:type :invoke, :f :cas, :value [1 4], :process 0}',
      ' {:type :ok, :f :cas, :value [1 4], :process 0}',
      ' {:type :invoke, :f :write, :value [2 3], :process 1}',
      ' {:type :ok, :f :write, :value [2 3], :process 1}]',
    ].join('\n');
    const { ops } = parseEdnHistory(cas);
    expect(ops.every((o) => o.key === undefined)).toBe(true);
    expect(ops[0].value).toEqual([1, 4]);
  });

  it('does not mistake two-micro-op transactions for tuples', () => {
    const { ops } = parseEdnHistory('[{:type :invoke, :f :txn, :value [[:r :x nil] [:w :y 1]], :process 0}]');
    expect(ops[0].key).toBeUndefined();
    expect(ops[0].value).toEqual([['r', 'x', null], ['w', 'y', 1]]);
  });

  it('can be forced either way', () => {
    expect(parseEdnHistory(independent, { independent: false }).ops[0]).toMatchObject({ value: [3, 4] });
    const forced = parseEdnHistory('[{:type :invoke, :f :cas, :value [1 4], :process 0}]', { independent: true });
    expect(forced.ops[0]).toMatchObject({ key: 1, value: 4 });
    const err = inputError(() =>
      parseEdnHistory('[{:type :invoke, :f :read, :value [1 2], :process 0}\n {:type :ok, :f :read, :value 3, :process 0}]', {
        independent: true,
      }),
    );
    expect(err.line).toBe(2);
    expect(err.message).toMatch(/\[key value\] tuple/);
  });
});

describe('malformed EDN', () => {
  const lines = (bad: string): string =>
    ['[{:type :invoke, :f :read, :process 0}', ' {:type :ok, :f :read, :process 0, :value 1}', bad, ' {:type :invoke, :f :read, :process 2}]'].join('\n');

  it('names the line of a map with a key but no value', () => {
    const err = inputError(() => parseEdnHistory(lines(' {:type :invoke, :f :read, :process 1, :value}'), { file: 'bad.edn' }));
    expect(err.line).toBe(3);
    expect(err.file).toBe('bad.edn');
    expect(err.describe()).toMatch(/^bad\.edn:3: map has a key without a value/);
  });

  it('names the line of a mismatched closing bracket', () => {
    const err = inputError(() => parseEdnHistory(lines(' {:type :invoke, :f :read, :process 1]')));
    expect(err.line).toBe(3);
    expect(err.message).toMatch(/does not close the "\{" opened at line 3/);
  });

  it('names the line of a map that is never closed', () => {
    const text = '{:type :invoke, :f :read, :process 0}\n{:type :ok, :f :read, :process 0\n{:type :invoke, :f :read, :process 1}\n';
    const err = inputError(() => parseEdnHistory(text));
    expect(err.line).toBe(2);
  });

  it('names the line of a malformed number', () => {
    const err = inputError(() => parseEdnHistory(lines(' {:type :invoke, :f :read, :process 12x}')));
    expect(err.line).toBe(3);
    expect(err.message).toMatch(/malformed number "12x"/);
  });

  it('names the line of an op that is not a map, or lacks a field, or has a bad type', () => {
    expect(inputError(() => parseEdnHistory(lines(' [1 2]'))).line).toBe(3);
    const noF = inputError(() => parseEdnHistory(lines(' {:type :invoke, :process 1}')));
    expect([noF.line, noF.message]).toEqual([3, 'op has no :f']);
    const badType = inputError(() => parseEdnHistory(lines(' {:type :started, :f :read, :process 1}')));
    expect(badType.line).toBe(3);
    expect(badType.message).toMatch(/:type must be one of/);
    const badProcess = inputError(() => parseEdnHistory(lines(' {:type :ok, :f :read, :process -1}')));
    expect(badProcess.message).toMatch(/:process must be/);
  });

  it('rejects an unterminated string and content after the history vector', () => {
    expect(inputError(() => parseEdnHistory('[{:type :ok, :f :read, :process 0, :value "abc}]')).message).toMatch(/unterminated string/);
    const extra = inputError(() => parseEdnHistory('[{:type :ok, :f :read, :process 0}]\n\n{:type :ok, :f :read, :process 0}'));
    expect(extra.line).toBe(3);
  });

  it('never drops a form edn-data cannot finish (a \\" character literal), and rejects ##Inf', () => {
    const err = inputError(() => parseEdnHistory(lines(String.raw` {:type :ok, :f :read, :process 1, :value \"}`)));
    expect(err.line).toBe(3);
    const inf = inputError(() => parseEdnHistory(lines(' {:type :ok, :f :read, :process 1, :value ##Inf}')));
    expect([inf.line, inf.message]).toEqual([3, 'EDN symbolic value "##Inf" has no JSON equivalent']);
  });

  it('reads hex integers as Clojure does', () => {
    const { ops } = parseEdnHistory('[{:type :ok, :f :read, :process 0, :value [0x1F -0x10 java.lang.Thread]}]');
    expect(ops[0].value).toEqual([31, -16, 'java.lang.Thread']);
  });

  it('finds the right line deep in a large history', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `{:index ${i}, :type :invoke, :f :read, :process ${i % 7}, :value nil}`);
    expect(parseEdnHistory(rows.join('\n')).ops).toHaveLength(20_000);
    rows[14_999] = '{:index 14999, :type :invoke, :f :read, :process 1 :value nil';
    const err = inputError(() => parseEdnHistory(rows.join('\n')));
    expect(err.line).toBe(15_000);
  });

  it('rejects a bad string escape with the line', () => {
    const err = inputError(() => parseEdnHistory(lines(String.raw` {:type :ok, :f :read, :process 1, :value "a\qb"}`)));
    expect(err.line).toBe(3);
    expect(err.message).toMatch(/malformed EDN/);
  });
});
