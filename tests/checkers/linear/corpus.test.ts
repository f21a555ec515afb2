// Knossos' own test corpus: every good history is linearizable, every bad one is not.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEdnHistory } from '../../../histories/jepsen/edn-history.js';
import type { Op } from '../../../histories/op.js';
import { checkLinearizable } from '../../../checkers/linear/index.js';
import { KNOSSOS } from '../../paths.js';

const ROOT = KNOSSOS;

function load(rel: string): Op[] {
  return parseEdnHistory(readFileSync(join(ROOT, rel), 'utf8'), { file: rel }).ops;
}

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.edn'))
    .sort()
    .map((f) => `${dir}/${f}`);
}

const hasClientOps = (ops: Op[]): boolean => ops.some((o) => typeof o.process === 'number');

describe('Knossos corpus', () => {
  it('cas-register/good: all linearizable (initial 0)', async () => {
    const list = files('cas-register/good');
    expect(list.length).toBeGreaterThan(100);
    const wrong: string[] = [];
    for (const f of list) {
      const ops = load(f);
      const r = await checkLinearizable(ops, { model: 'cas-register', initial: 0, workers: 1 });
      // One file holds nemesis ops only: Knossos calls it valid, but it tested nothing, so it is unknown (as a
      // run with no successful op is), and the reason says why.
      if (!hasClientOps(ops)) {
        expect(r.valid, f).toBe('unknown');
        expect(r.reason, f).toMatch(/no client ops/);
        continue;
      }
      if (r.valid !== true) wrong.push(`${f}: ${String(r.valid)} ${r.reason ?? ''}`);
    }
    expect(wrong).toEqual([]);
  });

  it('cas-register/bad: all non-linearizable (initial 0), each with a prefix and a counterexample', async () => {
    const list = files('cas-register/bad');
    expect(list.length).toBe(7);
    for (const f of list) {
      const r = await checkLinearizable(load(f), { model: 'cas-register', initial: 0, workers: 1 });
      expect(r.valid, f).toBe(false);
      const a = r.anomalies[0];
      expect(a.kind).toBe('nonlinearizable');
      expect(a.prefix, f).toBeDefined();
      expect((a.counterexample as { indices: number[] }).indices.length, f).toBeGreaterThan(0);
    }
  });

  it('multi-register/good: linearizable with initial {x:0, y:0}', async () => {
    for (const f of files('multi-register/good')) {
      const r = await checkLinearizable(load(f), { model: 'multi-register', initial: { x: 0, y: 0 }, workers: 1 });
      expect(r.valid, f).toBe(true);
      expect(r.stats.checkedOps as number).toBeGreaterThan(50);
    }
  });

  it('mutex/bad/etcd.edn: not linearizable', async () => {
    const r = await checkLinearizable(load('mutex/bad/etcd.edn'), { model: 'mutex', workers: 1 });
    expect(r.valid).toBe(false);
    expect(r.anomalies[0].message).toMatch(/acquire/);
  });

  it('cas-register/good/mongodb-v0-ack-rollback-.edn (nemesis events only): unknown (it tested nothing), with the reason', async () => {
    const r = await checkLinearizable(load('cas-register/good/mongodb-v0-ack-rollback-.edn'), { model: 'cas-register', initial: 0, workers: 1 });
    expect(r.valid).toBe('unknown');
    expect(r.reason).toMatch(/no client ops/);
  });
  // mutex/bad/hazelcast.edn is an empty file: `faultline check` refuses it as bad input (tests/harness/cli).
});
