/** Reading op lines out of jepsen.log / history.txt / Porcupine's Jepsen test data. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../histories/errors.js';
import { parseJepsenLog } from '../../../histories/jepsen/log-history.js';
import { detectFormat } from '../../../histories/jepsen/detect.js';

describe('parseJepsenLog', () => {
  it('reads Porcupine-style lines, taking a timed-out :info value from its invoke', () => {
    const log = [
      'INFO  jepsen.util - 3\t:invoke\t:cas\t[1 4]',
      'INFO  jepsen.util - 7\t:invoke\t:write\t2',
      'INFO  jepsen.util - 3\t:ok\t:cas\t[1 4]',
      'INFO  jepsen.util - :nemesis\t:info\t:start\tnil',
      'INFO  jepsen.util - 7\t:info\t:write\t:timed-out',
      'INFO  jepsen.util - 0\t:invoke\t:read\tnil',
      'INFO  jepsen.util - 0\t:ok\t:read\t2',
    ].join('\n');
    const { ops, warnings } = parseJepsenLog(log);
    expect(warnings).toEqual([]);
    expect(ops).toEqual([
      { index: 0, type: 'invoke', process: 3, f: 'cas', value: [1, 4] },
      { index: 1, type: 'invoke', process: 7, f: 'write', value: 2 },
      { index: 2, type: 'ok', process: 3, f: 'cas', value: [1, 4] },
      { index: 3, type: 'info', process: 'nemesis', f: 'start', value: null },
      { index: 4, type: 'info', process: 7, f: 'write', value: 2, error: 'timed-out' },
      { index: 5, type: 'invoke', process: 0, f: 'read', value: null },
      { index: 6, type: 'ok', process: 0, f: 'read', value: 2 },
    ]);
  });

  it('keeps a keyword value on nemesis :info lines (no invoke to borrow from)', () => {
    const { ops } = parseJepsenLog(':nemesis\t:info\t:start-partition\t:majorities-ring\n');
    expect(ops[0]).toEqual({ index: 0, type: 'info', process: 'nemesis', f: 'start-partition', value: 'majorities-ring' });
  });

  it('reads timestamped prefixes and sets :time from them, skipping other lines', () => {
    const log = [
      '2017-03-18 13:00:49,000{GMT}\tINFO\t[main] jepsen.core: Running test',
      '2017-03-18 13:00:50,123{GMT}\tINFO\t[jepsen worker 3] jepsen.util: 3\t:invoke\t:read\tnil',
      'some unrelated line with 3\t:invoke in it',
      'INFO [2017-03-18 13:00:50,200] jepsen nemesis - jepsen.util :nemesis\t:info\t:start\t[:isolated {"n1" #{"n2"}}]',
      '2017-03-18 13:00:51,123{GMT}\tINFO\t[jepsen worker 3] jepsen.util: 3\t:ok\t:read\t5',
    ].join('\r\n');
    const { ops } = parseJepsenLog(log);
    expect(ops.map((o) => [o.index, o.type, o.process, o.time, o.value])).toEqual([
      [0, 'invoke', 3, 0, null],
      [1, 'info', 'nemesis', 77_000_000, ['isolated', { n1: ['n2'] }]],
      [2, 'ok', 3, 1_000_000_000, 5],
    ]);
  });

  it('reads a fifth field as the error (history.txt)', () => {
    const { ops } = parseJepsenLog('1\t:invoke\t:cas\t[1 1]\n1\t:fail\t:cas\t[1 1]\t:value-mismatch\n');
    expect(ops[1]).toMatchObject({ type: 'fail', value: [1, 1], error: 'value-mismatch' });
    // Jepsen prints the error with `str`: a string error is bare text, not EDN.
    const bare = parseJepsenLog('2\t:invoke\t:read\tnil\n2\t:fail\t:read\tnil\tconnection refused: {:node "n1"\n');
    expect(bare.ops[1]).toMatchObject({ error: 'connection refused: {:node "n1"' });
    const vec = parseJepsenLog('2\t:invoke\t:read\tnil\n2\t:fail\t:read\tnil\t[:not-found "no lease"]\n');
    expect(vec.ops[1]).toMatchObject({ error: ['not-found', 'no lease'] });
  });

  it('detects independent tuples in log values too', () => {
    const { ops } = parseJepsenLog('0\t:invoke\t:write\t[5 1]\n0\t:ok\t:write\t[5 1]\n');
    expect(ops.map((o) => [o.key, o.value])).toEqual([
      [5, 1],
      [5, 1],
    ]);
  });

  it('names the line of a malformed field', () => {
    let err: unknown;
    try {
      parseJepsenLog('INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:ok\t:read\t"unterminated\n', { file: 'j.log' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).describe()).toMatch(/^j\.log:2: malformed EDN in the value field/);
  });

  it('warns when there are no op lines at all', () => {
    const r = parseJepsenLog('INFO jepsen.core - nothing here\n', { file: 'x.log' });
    expect(r.ops).toEqual([]);
    expect(r.warnings[0]).toMatch(/^x\.log: no Jepsen op lines/);
  });
});

describe("Porcupine's generated etcd logs", () => {
  it('read the space-padded, hinted line form as plain ops', () => {
    const text = 'INFO  jepsen.util - 6 \t:invoke :write \t38 \t:hint 0\nINFO  jepsen.util - 6 \t:ok :write \t38 \t:hint 2\nINFO  jepsen.util - 4 \t:invoke :read \tnil \t:hint 0\nINFO  jepsen.util - 4 \t:ok :read \t38 \t:hint 2\n';
    expect(detectFormat(text)).toBe('jepsen-log');
    const { ops } = parseJepsenLog(text);
    expect(ops.map((o) => [o.process, o.type, o.f, o.value, o.error])).toEqual([
      [6, 'invoke', 'write', 38, undefined],
      [6, 'ok', 'write', 38, undefined],
      [4, 'invoke', 'read', null, undefined],
      [4, 'ok', 'read', 38, undefined],
    ]);
  });
});

describe('any whitespace between jepsen.log fields', () => {
  const fields = (text: string): unknown[] => parseJepsenLog(text).ops.map((o) => [o.process, o.type, o.f, o.value, o.error]);
  const variants: [string, string][] = [
    ['tabs (Jepsen)', 'INFO  jepsen.util - 1\t:invoke\t:write\t3\nINFO  jepsen.util - 1\t:ok\t:write\t3\n'],
    ['runs of spaces', 'INFO  jepsen.util - 1   :invoke :write  3\nINFO  jepsen.util - 1   :ok     :write  3\n'],
    ['single spaces', 'INFO jepsen.util - 1 :invoke :write 3\nINFO jepsen.util - 1 :ok :write 3\n'],
    ['spaces and tabs mixed', 'INFO  jepsen.util - 1 \t :invoke\t  :write \t3\nINFO  jepsen.util - 1\t\t:ok :write\t 3\n'],
    ['trailing whitespace and CRLF', 'INFO  jepsen.util - 1  :invoke  :write  3  \r\nINFO  jepsen.util - 1  :ok  :write  3\t\r\n'],
    ['no prefix (history.txt), spaces', '1 :invoke :write 3\n1 :ok :write 3\n'],
  ];
  for (const [name, text] of variants) {
    it(`${name}: detected and read as the same two ops`, () => {
      expect(detectFormat(text)).toBe('jepsen-log');
      expect(fields(text)).toEqual([
        [1, 'invoke', 'write', 3, undefined],
        [1, 'ok', 'write', 3, undefined],
      ]);
    });
  }

  it('a value with spaces inside (vector, string, map) stays one value; what follows it is the error', () => {
    const text = [
      'INFO  jepsen.util - 2   :invoke  :cas     [1 4]',
      'INFO  jepsen.util - 2   :fail    :cas     [1 4]   :value-mismatch',
      'INFO  jepsen.util - 3   :invoke  :append  "x 3 0 y"',
      'INFO  jepsen.util - 3   :ok      :append  "x 3 0 y"',
      'INFO  jepsen.util - 4   :invoke  :write   {:a [1 2], :b "c d"}',
      'INFO  jepsen.util - 4   :info    :write   :timed-out',
    ].join('\n');
    expect(fields(text)).toEqual([
      [2, 'invoke', 'cas', [1, 4], undefined],
      [2, 'fail', 'cas', [1, 4], 'value-mismatch'],
      [3, 'invoke', 'append', 'x 3 0 y', undefined],
      [3, 'ok', 'append', 'x 3 0 y', undefined],
      [4, 'invoke', 'write', { a: [1, 2], b: 'c d' }, undefined],
      [4, 'info', 'write', { a: [1, 2], b: 'c d' }, 'timed-out'],
    ]);
  });

  it('prose that merely mentions :invoke is not an op line', () => {
    expect(detectFormat('the client will :invoke later\nnothing here\n')).toBeUndefined();
  });
});
