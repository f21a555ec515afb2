/**
 * The fault schedule, planned in full from the seed before the run starts: which fault, on which nodes, in
 * which shape, at what offset. The plan goes into run.json; the history records what was actually done.
 * What each fault plans is its own package's business (harness/faults/); this file only keeps the rhythm.
 *
 * The rhythm is Jepsen's: a fault starts, holds for about one interval, stops, and the cluster gets about one
 * interval of calm before the next fault. Intervals vary by ±50% so faults don't line up with timeouts.
 */
import type { NemesisValue } from '../../histories/nemesis-value.js';
import type { NodeId } from '../runtime.js';
import { rngFor } from '../rng.js';
import { faultOf, nemesisChoice, type FaultSpec } from '../faults/index.js';

export type { FaultSpec } from '../faults/index.js';

export interface PlannedFault {
  /** Seconds after the main phase begins. */
  startAt: number;
  stopAt: number;
  fault: FaultSpec;
}

export interface ScheduleOptions {
  seed: string;
  nodes: readonly NodeId[];
  /** Fault names, plain (`kill`) or aimed at a role (`kill-primary`, see harness/faults/fault.ts). */
  faults: readonly string[];
  /** Mean seconds per fault and per calm period. */
  interval: number;
  /** Seconds of main phase: no fault starts after this, and every fault stops by it. */
  timeLimit: number;
  /** Byzantine faults: how many traitors (default: the most a BFT cluster of this size tolerates). */
  traitors?: number;
  /** Byzantine faults: traitors lie to clients too. */
  byzantineClients?: boolean;
}

export function planFaults(o: ScheduleOptions): PlannedFault[] {
  if (o.faults.length === 0) return [];
  const base = { seed: o.seed, nodes: o.nodes, traitors: o.traitors, byzantineClients: o.byzantineClients };
  const choices = new Map(o.faults.map((n) => [n, nemesisChoice(n)]));
  for (const { fault } of choices.values()) faultOf(fault).check?.(base);
  const rng = rngFor(o.seed, 'nemesis');
  const out: PlannedFault[] = [];
  const jitter = () => o.interval * (0.5 + rng.next());
  let t = jitter();
  // Bounded both by time and by count, whatever the interval.
  while (t < o.timeLimit && out.length < 10_000) {
    const { fault: kind, aim } = choices.get(pickWeighted(o.faults, (n) => faultOf(choices.get(n)!.fault).weight ?? 1, rng.next()))!;
    const spec = faultOf(kind).plan({ ...base, rng, window: out.length, ...(aim ? { aim } : {}) });
    const fault = { kind, spec, ...(aim ? { aim } : {}) } as FaultSpec;
    const stopAt = Math.min(o.timeLimit, t + jitter());
    out.push({ startAt: round(t), stopAt: round(stopAt), fault });
    t = stopAt + jitter();
  }
  return out;
}

const round = (s: number) => Math.round(s * 1000) / 1000;

/**
 * One of `names`, each as likely as its weight, from one uniform draw `u` in [0, 1). With every weight 1 this
 * is exactly `rng.pick` (index floor(u * n)), so mixes without a weighted fault plan as they always did.
 */
export function pickWeighted<T>(names: readonly T[], weightOf: (name: T) => number, u: number): T {
  const weights = names.map(weightOf);
  let x = u * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < names.length; i++) {
    if (x < weights[i]) return names[i];
    x -= weights[i];
  }
  return names[names.length - 1];
}

/**
 * What a fault's history op carries as its value: the package's own value, with the effect it declares first,
 * so readers of the history know what the window did without knowing the fault.
 */
export function faultValue(f: FaultSpec): NemesisValue {
  const fault = faultOf(f.kind);
  return { effect: fault.effect, ...fault.value(f.spec), ...(f.aim ? { aim: f.aim } : {}) };
}
