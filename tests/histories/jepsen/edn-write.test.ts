/** Writing EDN: the exact text Knossos and Elle expect, and exact round trips of faultline's own histories. */
import { describe, expect, it } from 'vitest';
import { historyToEdn, opToEdn, parseEdnHistory } from '../../../histories/jepsen/edn-history.js';
import type { Op } from '../../../histories/op.js';
import { canonicalJsonl } from './helpers.js';

describe('opToEdn', () => {
  it('writes Jepsen fields as keywords and key + value as an independent tuple', () => {
    const op: Op = { index: 0, type: 'invoke', process: 3, time: 120, f: 'write', key: 1, value: 4 };
    expect(opToEdn(op)).toBe('{:index 0, :type :invoke, :process 3, :f :write, :value [1 4], :time 120}');
  });

  it('writes the nemesis process, identifier-like errors, and extra fields with keyword keys', () => {
    const op: Op = {
      index: 7,
      type: 'info',
      process: 'nemesis',
      f: 'start-partition',
      value: { n1: ['n2', 'n3'] },
      error: 'timed-out',
      node: 'n2',
      'odd key': true,
    };
    expect(opToEdn(op)).toBe(
      '{:index 7, :type :info, :process :nemesis, :f :start-partition, :value {"n1" ["n2" "n3"]}, :error :timed-out, :node "n2", "odd key" true}',
    );
  });

  it('keeps sentence errors and string values as strings, with escapes', () => {
    const op: Op = { index: 0, type: 'fail', process: 0, f: 'read', value: 'a "b"\n', error: 'connection refused' };
    expect(opToEdn(op)).toBe('{:index 0, :type :fail, :process 0, :f :read, :value "a \\"b\\"\\n", :error "connection refused"}');
  });

  it('writes the function and a named register of each txn micro-op as keywords (as Knossos and Elle name them)', () => {
    const op: Op = { index: 0, type: 'ok', process: 1, f: 'txn', value: [['r', 'x', [1, 2]], ['append', 'x', 3], ['w', 4, 5]] };
    expect(opToEdn(op)).toBe('{:index 0, :type :ok, :process 1, :f :txn, :value [[:r :x [1 2]] [:append :x 3] [:w 4 5]]}');
  });

  it('writes a history as a vector with one op per line', () => {
    const ops: Op[] = [
      { index: 0, type: 'invoke', process: 0, f: 'read', value: null },
      { index: 1, type: 'ok', process: 0, f: 'read', value: 2 },
    ];
    expect(historyToEdn(ops)).toBe(
      '[{:index 0, :type :invoke, :process 0, :f :read, :value nil}\n {:index 1, :type :ok, :process 0, :f :read, :value 2}]\n',
    );
    expect(historyToEdn([])).toBe('[]\n');
  });
});

describe('round trips', () => {
  it('faultline register ops with string keys, nodes and times come back identical', () => {
    const ops: Op[] = [
      { index: 0, type: 'invoke', process: 3, time: 120450112, f: 'write', key: 'r1', value: 4 },
      { index: 1, type: 'invoke', process: 4, time: 120450113, f: 'read', key: 'r2', value: null },
      { index: 2, type: 'ok', process: 3, time: 121007331, f: 'write', key: 'r1', value: 4, node: 'n2' },
      { index: 3, type: 'info', process: 'nemesis', time: 121007400, f: 'start-partition', value: { n1: ['n2', 'n3'], n2: ['n1'] } },
      { index: 4, type: 'invoke', process: 5, time: 121007500, f: 'cas', key: 'r1', value: [4, 5] },
      { index: 5, type: 'info', process: 5, time: 131007500, f: 'cas', key: 'r1', value: [4, 5], error: 'timed-out' },
      { index: 6, type: 'ok', process: 4, time: 131007600, f: 'read', key: 'r2', value: 7, node: 'n1' },
      { index: 7, type: 'ok', process: 6, time: 131007700, f: 'final-read', key: 'r1', value: 5, node: 'n3' },
    ];
    const back = parseEdnHistory(historyToEdn(ops));
    expect(back.warnings).toEqual([]);
    expect(canonicalJsonl(back.ops)).toBe(canonicalJsonl(ops));
  });

  it('keyless ops with awkward values come back identical', () => {
    const ops: Op[] = [
      {
        index: 0,
        type: 'ok',
        process: 0,
        f: 'read',
        value: { 'a b': [1.25, -0.5, 1e-7, 'x\u0001y\u2028z', '\u{1F600}', true, null, [], {}], __proto__x: 1 },
        extra: { nested: ['nil', 'true', ':kw'] },
        error: ['not-found', 'msg'],
      },
      { index: 1, type: 'info', process: 'worker 1', f: 'odd f name', value: 'plain' },
    ];
    const back = parseEdnHistory(historyToEdn(ops));
    expect(canonicalJsonl(back.ops)).toBe(canonicalJsonl(ops));
  });

  it('a keyed non-client op keeps its key as a plain :key field', () => {
    const ops: Op[] = [{ index: 0, type: 'info', process: 'nemesis', f: 'corrupt', key: 'r1', value: 3 }];
    const edn = historyToEdn(ops);
    expect(edn).toContain(':key "r1"');
    expect(canonicalJsonl(parseEdnHistory(edn).ops)).toBe(canonicalJsonl(ops));
  });

  it('Jepsen text -> ops -> EDN -> ops is stable for independent histories', () => {
    const text = '{:type :invoke, :f :cas, :value [1 [2 3]], :process 0}\n{:type :ok, :f :cas, :value [1 [2 3]], :process 0}\n';
    const first = parseEdnHistory(text);
    expect(first.ops[0]).toMatchObject({ key: 1, value: [2, 3] });
    const second = parseEdnHistory(historyToEdn(first.ops));
    expect(canonicalJsonl(second.ops)).toBe(canonicalJsonl(first.ops));
  });
});
