// The fault table: every package plans windows its own schema accepts and whose history value the checkers'
// schema reads; runtimes' capabilities and targets' limits decide what a run may take; the runner applies and
// undoes through the table, and records a window whose options break the schema as an error, not a crash.
import { Command } from 'commander';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { addRunOptions, resolveConfig, type RunFlags } from '../../../harness/cli/commands/run.js';
import { availableFaults, FAULT_NAMES, faultOf, FAULTS, faultNames, whyNot, type FaultName } from '../../../harness/faults/index.js';
import { NemesisRunner } from '../../../harness/nemesis/runner.js';
import { planFaults, type FaultSpec } from '../../../harness/nemesis/schedule.js';
import { rngFor } from '../../../harness/rng.js';
import type { Runtime } from '../../../harness/runtime.js';
import { RUNTIME_SUPPORTS } from '../../../harness/runtimes.js';
import { InputError } from '../../../histories/errors.js';
import { FAULT_EFFECTS, NemesisValueSchema } from '../../../histories/nemesis-value.js';
import { etcdTarget } from '../../../targets/etcd/index.js';
import { builtinTarget, maelstromTarget } from '../../../targets/maelstrom/target.js';

const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'];

describe('fault packages', () => {
  it('plan windows that pass their own schema, with values the history schema reads', () => {
    for (const name of FAULT_NAMES) {
      const f = faultOf(name);
      expect(f.name).toBe(name);
      expect(f.needs.length).toBeGreaterThan(0);
      f.check?.({ seed: '3', nodes });
      const rng = rngFor('3', 'nemesis');
      for (let w = 0; w < 50; w++) {
        const spec = f.plan({ seed: '3', nodes, rng, window: w });
        expect(f.schema.safeParse(spec).success, `${name} window ${w}`).toBe(true);
        const v = NemesisValueSchema.parse(f.value(spec));
        // Every fault that acts on nodes names them, for the availability checker and the report.
        if (name !== 'partition' && name !== 'latency' && name !== 'loss') expect(v.nodes?.length).toBeGreaterThan(0);
      }
    }
  });

  it('refuse a cluster they cannot be planned for', () => {
    expect(() => faultOf('partition').check?.({ seed: '1', nodes: ['n1'] })).toThrow(/at least 2 nodes/);
    expect(() => faultOf('forge').check?.({ seed: '1', nodes: ['n1', 'n2'], traitors: 2 })).toThrow(/no honest node/);
    expect(() => faultNames(['partition', 'flood'])).toThrow(InputError);
  });
});

describe('what a run may take', () => {
  it('is what the runtime can make, less the target\'s own limits', () => {
    // The sim runtime has no node files to damage.
    expect(availableFaults(RUNTIME_SUPPORTS.sim, builtinTarget.faultLimits)).toEqual(FAULT_NAMES.filter((n) => n !== 'file'));
    expect(availableFaults(RUNTIME_SUPPORTS.sim, maelstromTarget.faultLimits)).toEqual(FAULT_NAMES.filter((n) => n !== 'clock' && n !== 'file'));
    expect(availableFaults(RUNTIME_SUPPORTS.netns, etcdTarget.faultLimits)).toEqual(['partition', 'kill', 'pause', 'latency', 'loss']);
    expect(whyNot('clock', RUNTIME_SUPPORTS.netns, etcdTarget.faultLimits)).toMatch(/libfaketime/);
    expect(whyNot('forge', RUNTIME_SUPPORTS.docker)).toMatch(/needs byzantine/);
    expect(whyNot('clock', RUNTIME_SUPPORTS.docker)).toMatch(/needs clock/);
  });

  it('is checked by `run` before anything starts, with the reason', async () => {
    const resolve = (args: string[]) => {
      const cmd = addRunOptions(new Command('run')).exitOverride();
      cmd.parse(args, { from: 'user' });
      return resolveConfig(cmd.opts() as RunFlags);
    };
    await expect(resolve(['--target', 'etcd', '--nemesis', 'partition,clock'])).rejects.toThrow(/cannot take clock faults: etcd's static Go binary/);
    await expect(resolve(['--target', 'etcd', '--nemesis', 'byzantine'])).rejects.toThrow(/netns runtime cannot take corrupt faults: it needs byzantine/);
    await expect(resolve(['--nemesis', 'partition', '--nodes', '1'])).rejects.toThrow(/--nemesis partition with --nodes 1: a partition needs at least 2 nodes/);
    expect((await resolve(['--nemesis', 'byzantine'])).nemesis).toEqual(['corrupt', 'replay', 'equivocate', 'forge']);
  });
});

/** A runtime that records what it is asked to do. */
function recordingRuntime(): Runtime & { calls: string[] } {
  const calls: string[] = [];
  const note = (s: string) => async () => void calls.push(s);
  return {
    kind: 'sim',
    nodes,
    supports: RUNTIME_SUPPORTS.sim,
    calls,
    start: note('start'),
    kill: async (n) => void calls.push(`kill ${n}`),
    restart: async (n) => void calls.push(`restart ${n}`),
    pause: async (n) => void calls.push(`pause ${n}`),
    resume: async (n) => void calls.push(`resume ${n}`),
    partition: async (g) => void calls.push(`partition ${JSON.stringify(g)}`),
    heal: note('heal'),
    setLinkFaults: async (f) => void calls.push(`link ${JSON.stringify(f)}`),
    clockSkew: async (n, ms) => void calls.push(`clock ${n} ${ms}`),
    teardown: note('teardown'),
  };
}

describe('the nemesis runner', () => {
  it('applies and undoes each planned window through the table, and heals what is in force', async () => {
    const rt = recordingRuntime();
    const ops: { f: string; value: unknown; error?: string }[] = [];
    const runner = new NemesisRunner(rt, (f, value, error) => ops.push({ f, value, error }), pino({ level: 'silent' }));
    const plan = planFaults({ seed: '9', nodes, faults: ['kill', 'loss', 'clock'], interval: 0.001, timeLimit: 0.05 });
    expect(plan.length).toBeGreaterThan(2);
    await runner.run(plan, performance.now(), new AbortController().signal);
    await runner.healAll();
    expect(ops.filter((o) => o.f.startsWith('start-'))).toHaveLength(plan.length);
    expect(ops.every((o) => o.error === undefined)).toBe(true);
    for (const p of plan.filter((x) => x.fault.kind === 'kill')) {
      const spec = p.fault.spec as { nodes: string[] };
      for (const n of spec.nodes) expect(rt.calls).toContain(`restart ${n}`);
    }
    expect(rt.calls.filter((c) => c.startsWith('link ')).at(-1)).toBe('link null');
    expect(Object.keys(FAULTS)).toEqual(FAULT_NAMES);
  });

  it('stamps every op value with the effect its fault package declares', async () => {
    for (const name of FAULT_NAMES) expect(FAULT_EFFECTS).toContain(FAULTS[name].effect);
    expect(FAULTS.kill.effect).toBe('node-down');
    expect(FAULTS.pause.effect).toBe('node-down');
    expect(FAULTS.file.effect).toBe('node-down');
    expect(FAULTS.partition.effect).toBe('link');
    const rt = recordingRuntime();
    const ops: { f: string; value: unknown }[] = [];
    const runner = new NemesisRunner(rt, (f, value) => ops.push({ f, value }), pino({ level: 'silent' }));
    const plan = planFaults({ seed: '4', nodes, faults: ['kill', 'pause', 'loss', 'clock', 'partition'], interval: 0.001, timeLimit: 0.05 });
    await runner.run(plan, performance.now(), new AbortController().signal);
    await runner.healAll();
    expect(ops.length).toBeGreaterThan(4);
    for (const o of ops) expect((o.value as { effect?: string }).effect).toBe(FAULTS[o.f.replace(/^(start|stop)-/, '') as FaultName].effect);
  });

  it('records a window whose options break its schema as an error on the start op, and never applies them', async () => {
    const rt = recordingRuntime();
    const ops: { f: string; error?: string }[] = [];
    const runner = new NemesisRunner(rt, (f, _v, error) => ops.push({ f, error }), pino({ level: 'silent' }));
    const bad = { kind: 'loss', spec: { loss: 7 } } as FaultSpec;
    await runner.run([{ startAt: 0, stopAt: 0, fault: bad }], performance.now(), new AbortController().signal);
    expect(ops[0].f).toBe('start-loss');
    expect(ops[0].error).toMatch(/loss/);
    expect(rt.calls.some((c) => c.includes('"loss":7'))).toBe(false);
  });
});
