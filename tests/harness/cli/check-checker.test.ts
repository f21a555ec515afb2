/** `faultline check --checker`: the checkers besides linearizability, on Jepsen-style JSON and EDN files. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, EXAMPLES, STACK } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-check-checker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const readSkew = file(
  'read-skew.json',
  JSON.stringify([
    { type: 'invoke', process: 0, f: 'txn', value: [['append', 'x', 1], ['append', 'y', 1]] },
    { type: 'invoke', process: 1, f: 'txn', value: [['r', 'x', null], ['r', 'y', null]] },
    { type: 'ok', process: 0, f: 'txn', value: [['append', 'x', 1], ['append', 'y', 1]] },
    { type: 'ok', process: 1, f: 'txn', value: [['r', 'x', []], ['r', 'y', [1]]] },
  ]),
);

const cycleEdn = file(
  'g1c.edn',
  `{:type :invoke, :f :txn, :value [[:append 1 1] [:r 2 nil]], :process 0}
{:type :invoke, :f :txn, :value [[:append 2 1] [:r 1 nil]], :process 1}
{:type :ok, :f :txn, :value [[:append 1 1] [:r 2 [1]]], :process 0}
{:type :ok, :f :txn, :value [[:append 2 1] [:r 1 [1]]], :process 1}
`,
);

describe('faultline check --checker', () => {
  it('picks list-append from Elle micro-ops in Jepsen JSON and explains the cycle', () => {
    const r = cli(['check', readSkew]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('checker list-append: read off the ops');
    expect(r.stdout).toContain('anomalies: G-single');
    expect(r.stdout).toMatch(/not consistent-view, repeatable-read; also not .*strict-serializable/);
    expect(r.stdout).toMatch(/Let T1 = op 0 by p0: \[append "x" 1; append "y" 1\], T2 = .*: a contradiction\./);
  });

  it('reads EDN txns and holds them to --consistency-models', () => {
    expect(cli(['check', cycleEdn]).code).toBe(1);
    const weak = cli(['check', cycleEdn, '--consistency-models', 'read-uncommitted']);
    expect(weak.code).toBe(0);
    expect(weak.stdout).toContain('G1c found, which read-uncommitted allows');
    const json = JSON.parse(cli(['check', cycleEdn, '--json']).stdout.trim()) as { valid: boolean; anomalyTypes: string[]; not: string[]; anomalies: { cycle: { steps: { rel: string }[] } }[] };
    expect(json).toMatchObject({ valid: false, anomalyTypes: ['G1c'], not: ['read-committed'] });
    expect(json.anomalies[0].cycle.steps.map((s) => s.rel)).toEqual(['wr', 'wr']);
  });

  it('rw-register --sequential-keys finds the read skew blind writes hide, and list-append refuses the flag', () => {
    const T1 = [['w', 'x', 1]];
    const T2 = [['w', 'x', 2], ['w', 'y', 5]];
    const T3 = [['r', 'x', 1], ['r', 'y', 5]];
    const nil = (m: unknown[][]) => m.map(([f, k, v]) => [f, k, f === 'r' ? null : v]);
    const skew = file(
      'rw-skew.json',
      JSON.stringify([
        { type: 'invoke', process: 1, f: 'txn', value: nil(T3) },
        { type: 'invoke', process: 0, f: 'txn', value: T1 },
        { type: 'ok', process: 0, f: 'txn', value: T1 },
        { type: 'invoke', process: 0, f: 'txn', value: T2 },
        { type: 'ok', process: 0, f: 'txn', value: T2 },
        { type: 'ok', process: 1, f: 'txn', value: T3 },
      ]),
    );
    expect(cli(['check', '--checker', 'rw-register', '--consistency-models', 'serializable', skew]).code).toBe(0);
    const r = cli(['check', '--checker', 'rw-register', '--consistency-models', 'serializable', '--sequential-keys', skew]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('anomalies: G-single');
    const la = cli(['check', '--checker', 'list-append', '--linearizable-keys', readSkew]);
    expect(la.code).toBe(254);
    expect(la.stdout + la.stderr).toMatch(/apply to rw-register only/);
  });

  it('bad input exits 254 with a specific message, never a stack trace', () => {
    const dup = file('dup.json', JSON.stringify([
      { type: 'invoke', process: 0, f: 'txn', value: [['append', 'x', 1]] },
      { type: 'ok', process: 0, f: 'txn', value: [['append', 'x', 1]] },
      { type: 'invoke', process: 1, f: 'txn', value: [['append', 'x', 1]] },
      { type: 'ok', process: 1, f: 'txn', value: [['append', 'x', 1]] },
    ]));
    for (const [args, msg] of [
      [['check', dup], /both append 1 to key "x"/],
      [['check', readSkew, '--checker', 'rw-register'], /has no "append" micro-ops/],
      [['check', readSkew, '--consistency-models', 'serialisable'], /unknown model "serialisable"/],
      [['check', file('broken.json', '[{"type": "invoke", "process": 0}]')], /broken\.json:1: op has no :f/],
    ] as [string[], RegExp][]) {
      const r = cli(args);
      expect(r.code, args.join(' ')).toBe(254);
      expect(r.stdout + r.stderr).toMatch(msg);
      expect(r.stdout + r.stderr).not.toMatch(STACK);
    }
  });

  it('bank: totals, accounts and negative balances', () => {
    const bank = file('bank.edn', `{:type :invoke, :f :read, :value nil, :process 0}
{:type :ok, :f :read, :value {0 10, 1 10}, :process 0}
{:type :invoke, :f :transfer, :value {:from 0, :to 1, :amount 15}, :process 1}
{:type :ok, :f :transfer, :value {:from 0, :to 1, :amount 15}, :process 1}
{:type :invoke, :f :read, :value nil, :process 0}
{:type :ok, :f :read, :value {0 -5, 1 25}, :process 0}
`);
    const r = cli(['check', bank, '--total', '20']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('checker bank: read off the ops');
    expect(r.stdout).toMatch(/negative balance: 0 = -5/);
    expect(cli(['check', bank, '--total', '20', '--negative-balances']).code).toBe(0);
    expect(cli(['check', bank, '--total', '30', '--negative-balances']).stdout).toMatch(/summing to 20, not 30/);
  });

  it('long-fork with --group-size, and the older checkers by name', () => {
    const lf = file('long-fork.json', JSON.stringify([
      { type: 'invoke', process: 0, f: 'txn', value: [['w', 1, 1]] }, { type: 'ok', process: 0, f: 'txn', value: [['w', 1, 1]] },
      { type: 'invoke', process: 1, f: 'txn', value: [['w', 2, 1]] }, { type: 'ok', process: 1, f: 'txn', value: [['w', 2, 1]] },
      { type: 'invoke', process: 2, f: 'txn', value: [['r', 1, null], ['r', 2, null]] }, { type: 'ok', process: 2, f: 'txn', value: [['r', 1, 1], ['r', 2, null]] },
      { type: 'invoke', process: 3, f: 'txn', value: [['r', 1, null], ['r', 2, null]] }, { type: 'ok', process: 3, f: 'txn', value: [['r', 1, null], ['r', 2, 1]] },
    ]));
    const r = cli(['check', lf, '--checker', 'long-fork', '--group-size', '2']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/saw the writes in different orders/);
    expect(cli(['check', lf, '--checker', 'long-fork', '--group-size', '3']).code).toBe(254);
    expect(cli(['check', join(EXAMPLES, 'linearizable.jsonl'), '--checker', 'linearizable', '--model', 'cas-register']).code).toBe(0);
    expect(cli(['check', join(EXAMPLES, 'linearizable.jsonl'), '--checker', 'list-append']).stdout).toMatch(/unknown.*no txn operations/s);
    expect(cli(['check', join(EXAMPLES, 'linearizable.jsonl'), '--checker', 'paxos']).code).toBe(254);
  });
});
