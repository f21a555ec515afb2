/**
 * What a fault is: one value that plans a fault window from the seed, makes it on a runtime, undoes it, and
 * says what its history op records. Each fault lives in its own file in this folder and is listed once in
 * index.ts; the schedule, the nemesis runner, the CLI and the controller all look faults up there, so adding
 * a fault is one file (plus its test) and one line in the table.
 *
 * A fault names the runtime capabilities it `needs` (harness/runtime.ts: CAPABILITIES); runtimes declare
 * what they `support`, and a target lists only its own limits (Target.faultLimits), so whether a run can
 * take a fault is decided before it starts. A runtime may still find at apply time that it cannot (a kernel
 * without netem and a target without peer ports): it throws UnsupportedFault, and the nemesis records the
 * error on the start op and moves on.
 *
 * A window may be aimed at a role rather than at nodes drawn from the seed (Jepsen's nemesis targets, such
 * as `:primaries`): `--nemesis partition-primary` plans a partition as usual, and when the window starts the
 * runner asks the target which node holds the role now and the fault's `aimAt` moves that node into the
 * part of the plan that is hit. Which node holds a role is known only at fault time (a failover moves it),
 * so the plan in run.json says `aim`, and the history's start op names the node that was hit.
 */
import type { z } from 'zod';
import type { FaultEffect, NemesisValue } from '../../histories/nemesis-value.js';
import type { Rng } from '../rng.js';
import type { Capability, NodeId, Runtime } from '../runtime.js';

/** Roles a target can name at fault time: the node that takes writes (a primary, a Raft leader, a master). */
export const ROLES = ['primary'] as const;
export type Role = (typeof ROLES)[number];
/** Which node holds each role now, as the target sees it; a role nobody holds (mid-failover) is absent. */
export type Roles = Partial<Record<Role, NodeId>>;

/**
 * The answer most voters give (the first such, on a tie), or undefined when none answers: targets ask each
 * node who holds a role, and nodes on the wrong side of a partition may name a stale holder.
 */
export function mostNamed(answers: readonly (string | null | undefined)[]): string | undefined {
  const counts = new Map<string, number>();
  for (const a of answers) if (a) counts.set(a, (counts.get(a) ?? 0) + 1);
  let best: string | undefined;
  for (const [a, c] of counts) if (best === undefined || c > counts.get(best)!) best = a;
  return best;
}

/** What every fault's planner is given, once per run (checks) or per fault window (plan). */
export interface PlanContext {
  seed: string;
  nodes: readonly NodeId[];
  /** The nemesis' own seeded stream: every planner draws from it in turn, so a plan is reproducible. */
  rng: Rng;
  /** How many windows were planned before this one (names a seeded stream per window where needed). */
  window: number;
  /** Byzantine faults: how many traitors, and whether they lie to clients too. */
  traitors?: number;
  byzantineClients?: boolean;
  /** The window will be aimed at this role: plan a shape `aimAt` can move the role's holder into. */
  aim?: Role;
}

export interface Fault<Spec> {
  readonly name: string;
  /** One line for --help: what the fault does. */
  readonly summary: string;
  readonly needs: readonly Capability[];
  /**
   * What a window does to the cluster (histories/nemesis-value.ts FAULT_EFFECTS). The nemesis writes it into
   * every op value of the fault, so checkers and the report treat, say, any `node-down` fault as taking its
   * `nodes` down without knowing the fault's name.
   */
  readonly effect: FaultEffect;
  /**
   * How often the schedule picks this fault relative to the others of the run's mix (default 1). A fault
   * whose windows rarely do their harm can ask for more of them, so a mix still exercises it.
   */
  readonly weight?: number;
  /** The planned window's options; checked before each apply, so a bad plan is a clear error, not a crash. */
  readonly schema: z.ZodType<Spec>;
  /** Refuse a run this fault cannot be planned for (a partition of one node), before anything starts. */
  check?(ctx: Omit<PlanContext, 'rng' | 'window'>): void;
  /** Plan one window. Draws from ctx.rng only, in a fixed order, so the same seed gives the same plan. */
  plan(ctx: PlanContext): Spec;
  /**
   * Faults that can be aimed at a role: the planned window with `node` (the role's holder now) in the part
   * it hits, keeping the plan's size and shape. Pure, so the same plan and holder give the same window.
   */
  aimAt?(spec: Spec, node: NodeId): Spec;
  apply(rt: Runtime, spec: Spec): Promise<void>;
  /** Undo the window; what it returns goes into the stop op's value (what the fault did while in force). */
  undo(rt: Runtime, spec: Spec): Promise<Record<string, unknown> | void>;
  /** The value of the window's start and stop ops in the history and in run.json's schedule (the nemesis adds `effect`). */
  value(spec: Spec): NemesisValue;
}

/** A minority of the nodes (at least one), for faults that hit some nodes but must leave a quorum. */
export function minorityNodes(nodes: readonly NodeId[], rng: Rng): NodeId[] {
  const most = Math.max(1, Math.floor((nodes.length - 1) / 2));
  return rng.shuffle(nodes).slice(0, rng.int(1, most)).sort();
}

/** Aim a node fault at `node`: it alone is hit (Jepsen's `:primaries` kills or pauses the primaries only). */
export function aimNodes<S extends { nodes: NodeId[] }>(spec: S, node: NodeId): S {
  return { ...spec, nodes: [node] };
}
