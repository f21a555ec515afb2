// The file fault as a package: it plans a minority, a mode and a place from the seed; a window kills its
// nodes, damages each one's files while it is down, and restarts them at the end, with what it did in the
// stop op's value; a runtime without node files refuses it.
import pino from 'pino';
import { expect, it } from 'vitest';
import { fileFault } from '../../../harness/faults/file.js';
import { whyNot } from '../../../harness/faults/index.js';
import { NemesisRunner } from '../../../harness/nemesis/runner.js';
import { rngFor } from '../../../harness/rng.js';
import type { FileDamage, Runtime } from '../../../harness/runtime.js';
import { RUNTIME_SUPPORTS } from '../../../harness/runtimes.js';
import { etcdTarget } from '../../../targets/etcd/index.js';
import { natsTarget } from '../../../targets/nats/index.js';

const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'];

it('plans a minority of the nodes, and the same plan from the same seed', () => {
  const plans = (seed: string) => Array.from({ length: 40 }, (_, w) => fileFault.plan({ seed, nodes, rng: rngFor(seed, `w${w}`), window: w }));
  const a = plans('4');
  expect(plans('4')).toEqual(a);
  for (const p of a) {
    expect(p.nodes.length).toBeGreaterThanOrEqual(1);
    expect(p.nodes.length).toBeLessThanOrEqual(2);
    expect(p.at).toBeGreaterThanOrEqual(0);
    expect(p.at).toBeLessThanOrEqual(1);
  }
  expect(new Set(a.map((p) => p.mode))).toEqual(new Set(['truncate', 'corrupt']));
});

it('kills, damages while down, restarts, and reports what it damaged', async () => {
  const calls: string[] = [];
  const down = new Set<string>();
  const rt = {
    kind: 'netns',
    nodes,
    supports: RUNTIME_SUPPORTS.netns,
    kill: async (n: string) => void (calls.push(`kill ${n}`), down.add(n)),
    restart: async (n: string) => void (calls.push(`restart ${n}`), down.delete(n)),
    damageFile: async (n: string, d: FileDamage) => {
      expect(down.has(n)).toBe(true);
      calls.push(`damage ${n} ${d.mode} ${d.at}`);
      return { file: `${n}/1.blk`, mode: d.mode };
    },
  } as unknown as Runtime;
  const ops: { f: string; value: Record<string, unknown>; error?: string }[] = [];
  const runner = new NemesisRunner(rt, (f, value, error) => ops.push({ f, value: value as Record<string, unknown>, error }), pino({ level: 'silent' }));
  const spec = { nodes: ['n2', 'n4'], mode: 'truncate' as const, at: 0.5 };
  await runner.run([{ startAt: 0, stopAt: 0, fault: { kind: 'file', spec } }], performance.now(), new AbortController().signal);
  expect(calls).toEqual(['kill n2', 'kill n4', 'damage n2 truncate 0.5', 'damage n4 truncate 0.5', 'restart n2', 'restart n4']);
  expect(ops.map((o) => o.f)).toEqual(['start-file', 'stop-file']);
  expect(ops.every((o) => o.error === undefined)).toBe(true);
  expect(ops[1].value.damaged).toEqual({ n2: { file: 'n2/1.blk', mode: 'truncate' }, n4: { file: 'n4/1.blk', mode: 'truncate' } });
});

it('is offered where node files exist and the target names them', () => {
  expect(whyNot('file', RUNTIME_SUPPORTS.sim)).toMatch(/needs files/);
  expect(whyNot('file', RUNTIME_SUPPORTS.netns, natsTarget.faultLimits)).toBeNull();
  expect(whyNot('file', RUNTIME_SUPPORTS.docker, natsTarget.faultLimits)).toBeNull();
  expect(whyNot('file', RUNTIME_SUPPORTS.netns, etcdTarget.faultLimits)).toMatch(/names none yet/);
});
