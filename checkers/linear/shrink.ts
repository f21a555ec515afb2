/**
 * Delta debugging (Zeller's ddmin) over a failing key's op pairs: find a small subset that is still not
 * linearizable on its own. When it runs to the end the result is 1-minimal: dropping any single op pair from
 * it makes it linearizable. Every check has its own state budget, and the whole run a count and time budget,
 * so shrinking always terminates; a check that runs out of budget counts as "not failing" (keep the ops).
 */
import type { Model } from '../models/model.js';
import { compilePartition } from './compile.js';
import { decideLinearizable } from './search.js';
import type { OpPairAt } from './split.js';

export interface ShrinkBudget {
  deadline: number;
  maxChecks: number;
  statesPerCheck: number;
  /**
   * States all checks together may explore; spent as they run. A budget of work rather than time keeps the
   * result the same from run to run (the deadline is only a safety net).
   */
  work?: { states: number };
  /** The process's memory budget (see SearchLimits.maxRss). */
  maxRss?: number;
}

export interface ShrinkResult {
  /** Indices into the input pairs, ascending. */
  kept: number[];
  /** True when ddmin finished, so the result is 1-minimal. */
  minimal: boolean;
  checks: number;
}

/** Loop turns that count as one state of shrinking work (a plain search takes a few per state). */
const TRIES_PER_STATE = 4;

export function failsAlone(
  model: Model<unknown>,
  initial: unknown,
  pairs: readonly OpPairAt[],
  deadline: number,
  maxStates: number,
  work?: { states: number },
  maxRss?: number,
): boolean {
  const cp = compilePartition(model, initial, pairs, true);
  const limit = work ? Math.max(1, Math.min(maxStates, work.states)) : maxStates;
  // Charged in turns of the search loop, not only in new states: with many ops free to be left out (the
  // robust shrink's checks), each state tries every one of them, and counting states alone let a "small"
  // budget run far longer than the search it explains. Setting a check up is charged too, a turn per pair.
  const out = decideLinearizable(model, model.init(initial), cp, { deadline, maxStates: limit, maxTries: limit * TRIES_PER_STATE, maxRss });
  if (work) work.states -= Math.ceil(out.tries / TRIES_PER_STATE) + pairs.length;
  return out.valid === false;
}

/** Ops tried, nearest first, when looking for one that rescues a subset (it only feeds a message). */
const RESCUER_TRIES = 200;

/** A budgeted "is this subset still not linearizable?" test over indices into `pairs`. */
class Tester {
  checks = 0;
  exhausted = false;
  /** Each pair's copy that may be left out (`maybe`), made once: a robust shrink asks for them in every check. */
  private maybes: (OpPairAt | undefined)[] = [];
  constructor(
    private readonly model: Model<unknown>,
    private readonly initial: unknown,
    private readonly pairs: readonly OpPairAt[],
    private readonly budget: ShrinkBudget,
  ) {}

  private spent(): boolean {
    return this.checks >= this.budget.maxChecks || (this.budget.work !== undefined && this.budget.work.states <= 0) || Date.now() > this.budget.deadline;
  }

  fails(subset: readonly number[]): boolean {
    if (this.spent()) {
      this.exhausted = true;
      return false;
    }
    this.checks++;
    const sorted = [...subset].sort((a, b) => a - b);
    return failsAlone(this.model, this.initial, sorted.map((i) => this.pairs[i]), this.budget.deadline, this.budget.statesPerCheck, this.budget.work, this.budget.maxRss);
  }

  /**
   * The first op outside `subset` that, added to it, makes it linearizable (tried nearest the subset's last op
   * first: that is where rescuers usually are), or -1 when none does. Undefined when the budget ran out.
   */
  rescuer(subset: readonly number[]): number | undefined {
    const inside = new Set(subset);
    const last = Math.max(...subset);
    const others = this.pairs.map((_, i) => i).filter((i) => !inside.has(i));
    others.sort((a, b) => Math.abs(a - last) - Math.abs(b - last) || a - b);
    for (const x of others.slice(0, RESCUER_TRIES)) {
      const failed = this.fails([...subset, x]);
      if (this.exhausted) return undefined;
      if (!failed) return x;
    }
    return -1;
  }

  /**
   * Not linearizable together with any selection of the other ops: every other ok op may be left out or kept
   * (then taking effect in its own invoke–completion window), info ops keep their own freedom. A plain "still
   * fails" test lets ddmin drop the very writes that a read depends on.
   */
  failsWhateverOthersDid(subset: readonly number[]): boolean {
    if (this.spent()) {
      this.exhausted = true;
      return false;
    }
    this.checks++;
    const inside = new Set(subset);
    const loose = this.pairs.map((p, i): OpPairAt => (inside.has(i) ? p : (this.maybes[i] ??= { ...p, maybe: true })));
    return failsAlone(this.model, this.initial, loose, this.budget.deadline, this.budget.statesPerCheck, this.budget.work, this.budget.maxRss);
  }
}

export function shrinkPairs(model: Model<unknown>, initial: unknown, pairs: readonly OpPairAt[], budget: ShrinkBudget): ShrinkResult {
  const t = new Tester(model, initial, pairs, budget);
  const kept = ddmin(pairs.length, (s) => t.fails(s), () => t.exhausted);
  return { kept, minimal: !t.exhausted, checks: t.checks };
}

export interface RobustShrinkResult extends ShrinkResult {
  /** False when the plain result already holds up whatever the other ops did. */
  needed: boolean;
  /** Index of one op outside the plain result that, added to it, makes it linearizable (-1: none found). */
  rescuer: number;
}

/**
 * A plain 1-minimal subset can mislead: "read → 3" alone fails when the register starts at 0, even if the
 * history has a write of 3 (which a later write overwrote). So unless the plain result fails whatever the
 * other ops did, shrink again keeping only subsets that do; the result is 1-minimal for that property.
 */
export function shrinkRobust(model: Model<unknown>, initial: unknown, pairs: readonly OpPairAt[], plain: readonly number[], budget: ShrinkBudget, plainFailsRobustly?: boolean): RobustShrinkResult {
  const t = new Tester(model, initial, pairs, budget);
  if (plainFailsRobustly ?? t.failsWhateverOthersDid(plain)) return { kept: [...plain], minimal: true, checks: t.checks, needed: false, rescuer: -1 };
  const rescuer = t.rescuer(plain) ?? -1;
  t.exhausted = false;
  const kept = ddmin(pairs.length, (s) => t.failsWhateverOthersDid(s), () => t.exhausted);
  return { kept, minimal: !t.exhausted, checks: t.checks, needed: true, rescuer };
}

/** One robust check (see Tester.failsWhateverOthersDid) of `subset`, charged to the budget. */
export function failsWhateverOthersDid(model: Model<unknown>, initial: unknown, pairs: readonly OpPairAt[], subset: readonly number[], budget: ShrinkBudget): boolean {
  return new Tester(model, initial, pairs, budget).failsWhateverOthersDid(subset);
}

/** Zeller's ddmin over 0..n-1. `test` says whether a subset still shows the failure. */
function ddmin(count: number, test: (subset: number[]) => boolean, exhausted: () => boolean): number[] {
  const fails = test;

  let items = Array.from({ length: count }, (_, i) => i);
  let n = 2;
  while (items.length >= 2 && !exhausted()) {
    const chunks = split(items, n);
    let reduced = false;
    for (const c of chunks) {
      if (fails(c)) {
        items = c;
        n = 2;
        reduced = true;
        break;
      }
    }
    if (!reduced && n > 2) {
      for (const c of chunks) {
        const drop = new Set(c);
        const rest = items.filter((i) => !drop.has(i));
        if (fails(rest)) {
          items = rest;
          n = Math.max(n - 1, 2);
          reduced = true;
          break;
        }
      }
    }
    if (!reduced) {
      if (n >= items.length) break;
      n = Math.min(items.length, n * 2);
    }
  }
  // When the loop ends without running out of budget, every single-item removal has been tried (as a
  // complement, or as the other singleton when two items are left), so the result is 1-minimal.
  return items;
}

function split(items: number[], n: number): number[][] {
  const out: number[][] = [];
  const size = items.length / n;
  for (let k = 0; k < n; k++) {
    const part = items.slice(Math.round(k * size), Math.round((k + 1) * size));
    if (part.length > 0) out.push(part);
  }
  return out;
}
