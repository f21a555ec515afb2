/** detectFormat tells formats apart from content alone. */
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../../histories/jepsen/detect.js';

describe('detectFormat', () => {
  it('recognises faultline JSONL, even when the first line is cut off', () => {
    expect(detectFormat('\n{"index":0,"type":"invoke","process":3,"f":"write","value":4}\n')).toBe('jsonl');
    expect(detectFormat('{"index":0,"type":"invoke","process":3,"f":"write","value":"xxxxxxxx')).toBe('jsonl');
  });

  it('recognises EDN vectors, lists and one-map-per-line histories, after comments', () => {
    expect(detectFormat('[{:process 4, :type :invoke, :f :write, :value 2}\n')).toBe('edn');
    expect(detectFormat('; A history\n;; more\n\n[{:type :invoke, :f :read}]')).toBe('edn');
    expect(detectFormat('({:type :invoke, :f :cas, :value [1 4], :process 101}')).toBe('edn');
    expect(detectFormat('{:index 0, :type :invoke, :process 0, :f :read}\n{:index 1')).toBe('edn');
    expect(detectFormat('[]\n')).toBe('edn');
    expect(detectFormat('[{"type": "invoke", "process": 0, "f": "txn", "value": [["r", "x", null]]}]')).toBe('json');
    expect(detectFormat('[\n  {"f": ":txn", "type": ":ok"}\n]')).toBe('json');
  });

  it('recognises Jepsen log lines in their different layouts, after other log output', () => {
    expect(detectFormat('INFO  jepsen.util - 0\t:invoke\t:read\tnil\n')).toBe('jepsen-log');
    const setup = 'INFO [2018-06-07 11:48:13,012] jepsen test runner - jepsen.core Running test\n'.repeat(300);
    expect(detectFormat(`${setup}INFO [2018-06-07 11:48:23,015] jepsen nemesis - jepsen.util :nemesis\t:info\t:start\tnil\n`)).toBe(
      'jepsen-log',
    );
    expect(detectFormat('2017-03-18 13:00:50,123{GMT}\tINFO\t[jepsen worker 3] jepsen.util: 3\t:invoke\t:read\tnil')).toBe(
      'jepsen-log',
    );
    expect(detectFormat('1\t:fail\t:cas\t[1 1]\t:value-mismatch\n')).toBe('jepsen-log');
  });

  it('says undefined for anything else', () => {
    expect(detectFormat('')).toBeUndefined();
    expect(detectFormat('hello world\nthis is not a history\n')).toBeUndefined();
    expect(detectFormat('[1, 2, 3]')).toBeUndefined();
    expect(detectFormat('{"name": "package", "version": "1"}\n')).toBeUndefined();
    expect(detectFormat('\u0000\u0001binary\u00ff')).toBeUndefined();
  });
});
