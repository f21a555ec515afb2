// The fault table: every package plans windows its own schema accepts and whose history value the checkers'
// schema reads; runtimes' capabilities and targets' limits decide what a run may take; the runner applies and
// undoes through the table, and records a window whose options break the schema as an error, not a crash.
import { Command } from 'commander';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { addRunOptions, resolveConfig, type RunFlags } from '../../../harness/cli/commands/run.js';
import { availableFaults, FAULT_NAMES, faultOf, FAULTS, faultNames, nemesisChoice, whyNot, type FaultName } from '../../../harness/faults/index.js';
import { mostNamed } from '../../../harness/faults/fault.js';
import { AIMABLE_SHAPES, aimPartition, type Partition } from '../../../harness/faults/partition-shapes.js';
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

describe('windows aimed at a role (partition-primary, kill-primary, pause-primary)', () => {
  const three = ['n1', 'n2', 'n3'];

  it('plan a shape with a minority side, and move the named node into it whoever it is', () => {
    for (const ns of [three, nodes]) {
      const plan = planFaults({ seed: '4', nodes: ns, faults: ['partition-primary'], interval: 1, timeLimit: 200 });
      expect(plan.length).toBeGreaterThan(20);
      for (const p of plan) {
        expect(p.fault.aim).toBe('primary');
        const spec = p.fault.spec as Partition;
        expect(AIMABLE_SHAPES).toContain(spec.shape);
        for (const primary of ns) {
          const aimed = aimPartition(spec, primary);
          const sides = aimed.components!;
          const minority = sides.reduce((a, b) => (b.length < a.length ? b : a));
          expect(minority).toContain(primary);
          expect(minority.length).toBeLessThan(ns.length / 2);
          // Same sizes as planned, every node on exactly one side, and the grudge cuts exactly across sides.
          expect(sides.map((c) => c.length).sort()).toEqual(spec.components!.map((c) => c.length).sort());
          expect(sides.flat().sort()).toEqual([...ns].sort());
          for (const n of ns) expect(aimed.grudge[n]).toEqual(ns.filter((m) => !sides.find((c) => c.includes(n))!.includes(m)).sort());
        }
      }
    }
    // Plain partitions keep drawing every shape: aiming changes nothing for runs that do not ask for it.
    expect(planFaults({ seed: '4', nodes, faults: ['partition'], interval: 1, timeLimit: 50 })).toEqual(planFaults({ seed: '4', nodes, faults: ['partition'], interval: 1, timeLimit: 50 }));
  });

  it('hit the node the target names as primary when the window starts, and record it', async () => {
    const rt = recordingRuntime();
    const ops: { f: string; value: unknown; error?: string }[] = [];
    let primary: string | undefined = 'n4';
    const runner = new NemesisRunner(rt, (f, value, error) => ops.push({ f, value, error }), pino({ level: 'silent' }), async () => ({ primary }));
    const at = (kind: FaultSpec['kind'], spec: unknown) => [{ startAt: 0, stopAt: 0, fault: { kind, spec, aim: 'primary' } as FaultSpec }];
    const planned = planFaults({ seed: '2', nodes, faults: ['partition-primary'], interval: 1, timeLimit: 5 })[0].fault;
    await runner.run([{ startAt: 0, stopAt: 0, fault: planned }], performance.now(), new AbortController().signal);
    const start = ops.find((o) => o.f === 'start-partition')!;
    expect(start.error).toBeUndefined();
    const v = start.value as { aim: string; components: string[][] };
    expect(v.aim).toBe('primary');
    expect(v.components.reduce((a, b) => (b.length < a.length ? b : a))).toContain('n4');
    expect(rt.calls[0]).toBe(`partition ${JSON.stringify(aimPartition(planned.spec as Partition, 'n4').grudge)}`);

    // The holder changes between windows (a failover): each window hits whoever holds the role then.
    primary = 'n2';
    await runner.run(at('kill', { nodes: ['n1', 'n5'] }), performance.now(), new AbortController().signal);
    expect(rt.calls.slice(-2)).toEqual(['kill n2', 'restart n2']);
    expect(ops.filter((o) => o.f === 'start-kill').map((o) => o.value)).toMatchObject([{ nodes: ['n2'], aim: 'primary' }]);

    // Nobody holds the role: the window is recorded as not started, and nothing is done or undone.
    primary = undefined;
    const before = rt.calls.length;
    await runner.run(at('pause', { nodes: ['n1'] }), performance.now(), new AbortController().signal);
    expect(rt.calls.length).toBe(before);
    expect(ops.at(-1)).toMatchObject({ f: 'start-pause', error: expect.stringMatching(/no node is primary now/) });
    expect(ops.some((o) => o.f === 'stop-pause')).toBe(false);
  });

  it('are refused up front by a target that cannot name a primary, and by faults that cannot be aimed', async () => {
    const resolve = (args: string[]) => {
      const cmd = addRunOptions(new Command('run')).exitOverride();
      cmd.parse(args, { from: 'user' });
      return resolveConfig(cmd.opts() as RunFlags);
    };
    expect((await resolve(['--target', 'etcd', '--nemesis', 'partition-primary,kill'])).nemesis).toEqual(['partition-primary', 'kill']);
    await expect(resolve(['--target', 'builtin', '--nemesis', 'kill-primary'])).rejects.toThrow(/cannot name its primary/);
    await expect(resolve(['--target', 'etcd', '--nemesis', 'latency-primary'])).rejects.toThrow(/unknown fault "latency-primary"/);
    expect(nemesisChoice('pause-primary')).toEqual({ fault: 'pause', aim: 'primary' });
    expect(faultNames(['kill-primary', 'kill', 'partition-primary'])).toEqual(['kill', 'partition']);
    expect(mostNamed(['n2', null, 'n3', 'n2'])).toBe('n2');
    expect(mostNamed([null, undefined])).toBeUndefined();
  });
});
