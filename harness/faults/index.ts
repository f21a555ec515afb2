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
import { ROLES, type Fault, type Role } from './fault.js';
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
/**
 * One planned window: which fault, with its options (a union the compiler narrows on `kind`), and the role
 * it is aimed at, if any (the runner moves the role's holder into the spec when the window starts).
 */
export type FaultSpec = { [K in FaultName]: { kind: K; spec: SpecOf<K>; aim?: Role } }[FaultName];

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

/** The faults that can be aimed at a role, and the names that aim them: `<fault>-<role>`, e.g. kill-primary. */
export const AIMED_NAMES: readonly string[] = FAULT_NAMES.filter((n) => faultOf(n).aimAt !== undefined).flatMap((n) => ROLES.map((r) => `${n}-${r}`));

/** A name on --nemesis, resolved: the fault, and the role it is aimed at (`kill-primary`: kill, primary). */
export interface NemesisChoice {
  fault: FaultName;
  aim?: Role;
}

/** Resolve one name of --nemesis (or run.json's nemesis list). */
export function nemesisChoice(name: string): NemesisChoice {
  if (isFaultName(name)) return { fault: name };
  if (AIMED_NAMES.includes(name)) {
    const role = ROLES.find((r) => name.endsWith(`-${r}`))!;
    return { fault: name.slice(0, -role.length - 1) as FaultName, aim: role };
  }
  throw new InputError(`unknown fault "${name}"; faults: ${[...FAULT_NAMES, ...AIMED_NAMES].join(', ')}`);
}

/** The faults a list of names makes (aimed names count as their fault), each once, checked against the table. */
export function faultNames(names: readonly string[]): FaultName[] {
  return [...new Set(names.map((n) => nemesisChoice(n).fault))];
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
