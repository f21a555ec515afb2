/**
 * Every fault faultline can inject, in one table. The schedule plans from it, the nemesis runner applies and
 * undoes through it, the CLI checks `--nemesis` against it and the runtime's capabilities. To add a fault,
 * write harness/faults/<name>.ts exporting a `Fault` (see fault.ts) and add it here.
 */
import { InputError } from '../../histories/errors.js';
import type { Capability } from '../runtime.js';
import { corruptFault, equivocateFault, forgeFault, replayFault } from './byzantine.js';
import { clockFault } from './clock.js';
import { fileFault } from './file.js';
import type { Fault } from './fault.js';
import { killFault } from './kill.js';
import { latencyFault } from './latency.js';
import { lossFault } from './loss.js';
import { partitionFault } from './partition.js';
import { pauseFault } from './pause.js';

export const FAULTS = {
  partition: partitionFault,
  kill: killFault,
  pause: pauseFault,
  latency: latencyFault,
  loss: lossFault,
  clock: clockFault,
  file: fileFault,
  corrupt: corruptFault,
  replay: replayFault,
  equivocate: equivocateFault,
  forge: forgeFault,
} as const;

export type FaultName = keyof typeof FAULTS;
export const FAULT_NAMES = Object.keys(FAULTS) as FaultName[];

/** The options a planned window of fault K carries. */
export type SpecOf<K extends FaultName> = (typeof FAULTS)[K] extends Fault<infer S> ? S : never;
/** One planned window: which fault, with its options (a union the compiler narrows on `kind`). */
export type FaultSpec = { [K in FaultName]: { kind: K; spec: SpecOf<K> } }[FaultName];

/** Names that stand for several faults on the command line. */
export const FAULT_GROUPS: Readonly<Record<string, readonly FaultName[]>> = {
  byzantine: ['corrupt', 'replay', 'equivocate', 'forge'],
};

export function isFaultName(s: string): s is FaultName {
  return Object.hasOwn(FAULTS, s);
}

/** The fault of this name, typed loosely: for code that handles any fault the same way. */
export function faultOf(name: FaultName): Fault<unknown> {
  return FAULTS[name] as Fault<unknown>;
}

/** Check a list of names (from run.json or a config) against the table. */
export function faultNames(names: readonly string[]): FaultName[] {
  return names.map((n) => {
    if (!isFaultName(n)) throw new InputError(`unknown fault "${n}"; faults: ${FAULT_NAMES.join(', ')}`);
    return n;
  });
}

/**
 * Why a run on a runtime with these capabilities, of a target with these limits, cannot take this fault;
 * null when it can.
 */
export function whyNot(name: FaultName, supports: readonly Capability[], limits: Readonly<Partial<Record<FaultName, string>>> = {}): string | null {
  const missing = faultOf(name).needs.filter((c) => !supports.includes(c));
  if (missing.length > 0) return `it needs ${missing.join(' and ')}, which this runtime cannot make`;
  return limits[name] ?? null;
}

/** The faults a run can take: those whose needs the runtime meets, less the target's limits. */
export function availableFaults(supports: readonly Capability[], limits: Readonly<Partial<Record<FaultName, string>>> = {}): FaultName[] {
  return FAULT_NAMES.filter((n) => whyNot(n, supports, limits) === null);
}
