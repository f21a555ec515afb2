/**
 * Turn a failing key into an anomaly a person can act on: the longest linearizable prefix and the op that
 * could not follow it (as Knossos and Porcupine report), plus a counterexample shrunk to a handful of ops,
 * returned as data for a timeline (the terminal and the HTML report draw it: harness/report/) and explained in
 * one paragraph built from the model's own descriptions.
 */
import type { Op } from '../../histories/op.js';
import type { Anomaly } from '../result.js';
import type { Model } from '../models/model.js';
import { checkPartition, type PartitionVerdict, type PrefixFailure } from './check-partition.js';
import { failsAlone, failsWhateverOthersDid, shrinkPairs, shrinkRobust } from './shrink.js';
import { findOverwrittenRead, type Overwritten } from './overwritten.js';
import { keyLabel, type OpPairAt, type Partition } from './split.js';

export interface ExplainOptions {
  shrink: boolean;
  deadline: number;
  /** Wall-clock cap for shrinking one key (default 10 s); a safety net, `workStates` is the real budget. */
  shrinkMs?: number;
  /** Search states all of this key's shrinking checks may explore together (default 2,000,000). */
  workStates?: number;
  /** The process's memory budget (see SearchLimits.maxRss); a check that would pass it counts as "not failing". */
  maxRss?: number;
}

/** Appended to the message when the counterexample could not be made minimal within its budget. */
export const CUT_NOTE = ' (Explanation cut short: its shrinking budget ran out, so the counterexample may not be minimal.)';

const SHRINK_MS = 10_000;
/**
 * Share of the shrink budget for the second, robust shrink; past it (or if its result is much bigger) the plain
 * result is shown. Its checks leave every other op free to happen or not, so each is a much larger search: they
 * get a smaller state budget (a check that runs out counts as "not failing", which keeps ops: safe, less small).
 */
const ROBUST_SHARE = 0.3;
const WORK_STATES = 2_000_000;
const SHRINK_CHECKS = 5_000;
const STATES_PER_CHECK = 200_000;
const STATES_PER_ROBUST_CHECK = 20_000;
/**
 * Each robust check may explore at most as many states as the key's own search took (but at least this many).
 * With every other op free to happen or not, a check that needs more than the whole search did seldom ends
 * within any budget, and one such check used to eat the robust shrink's entire share: for 27 small invalid
 * etcd logs the robust shrink did 3x the work of everything else and never once finished.
 */
const ROBUST_CHECK_FLOOR = 1_000;
/** Ops of the linearizable prefix listed in the anomaly (the last ones). */
const PREFIX_TAIL = 100;

/** An op as the anomaly reports it. */
export interface ReportedOp {
  process: number | string;
  op: string;
  invokeIndex: number;
  completionIndex?: number;
  type: 'ok' | 'info' | 'pending';
  invokeTime?: number;
  completionTime?: number;
}

function seconds(t: number | undefined): string | undefined {
  return t === undefined ? undefined : `${(t / 1e9).toFixed(3)} s`;
}

export function describePair(model: Model<unknown>, p: OpPairAt): string {
  const op = model.prepare(p.invoke, p.completion);
  if (op) return model.describeOp(op);
  return `${p.invoke.f} → ?`;
}

export function reportOp(model: Model<unknown>, p: OpPairAt): ReportedOp {
  const out: ReportedOp = {
    process: p.invoke.process,
    op: describePair(model, p),
    invokeIndex: p.invoke.index,
    type: p.completion ? (p.completion.type as 'ok' | 'info') : 'pending',
  };
  if (p.completion) out.completionIndex = p.completion.index;
  if (p.invoke.time !== undefined) out.invokeTime = p.invoke.time;
  if (p.completion?.time !== undefined) out.completionTime = p.completion.time;
  return out;
}

function listing(items: string[], last = 'and'): string {
  if (items.length <= 1) return items.join('');
  return items.slice(0, -1).join(', ') + ` ${last} ` + items[items.length - 1];
}

export function who(p: OpPairAt): string {
  return `p${String(p.invoke.process)}`;
}

function span(p: OpPairAt): string {
  const a = seconds(p.invoke.time);
  const b = seconds(p.completion?.time);
  if (!a) return '';
  return b ? ` (${a.replace(' s', '')}–${b})` : ` (invoked at ${a})`;
}

/**
 * One paragraph: which op could not take effect, what real time forced before it or let overlap it, and the
 * only states the model could be in when it had to take effect. `pairs` may include `maybe` ops (the rest of
 * the key, free to be left out): they shape the verdict's states but are not listed.
 */
export function explainParagraph(model: Model<unknown>, pairs: readonly OpPairAt[], verdict: PartitionVerdict): string {
  const f = verdict.failure;
  const count = pairs.filter((p) => !p.maybe).length;
  const others = count < pairs.length;
  if (!f) return `No order of these ${count} ops is consistent with a ${model.name}.`;
  const b = pairs[f.blocked];
  const bDesc = describePair(model, b);
  const before: string[] = [];
  const overlap: string[] = [];
  const later: string[] = [];
  pairs.forEach((p, i) => {
    if (i === f.blocked || p.maybe) return;
    const d = `${describePair(model, p)} by ${who(p)}`;
    if (p.completion?.type === 'ok' && p.completePos < b.invokePos) {
      const t = seconds(p.completion.time);
      before.push(`${d} had completed${t ? ` at ${t}` : ''}`);
    } else if (p.invokePos < b.completePos) {
      overlap.push(p.completion?.type === 'ok' ? d : `${d} (which may or may not have taken effect)`);
    } else {
      later.push(d);
    }
  });
  const parts: string[] = [];
  if (before.length) parts.push(`it began after ${listing(before)}`);
  if (overlap.length) parts.push(`it overlapped ${listing(overlap)}`);
  if (later.length) parts.push(`${listing(later)} began only after it ended`);
  const states = f.deadStates.length ? f.deadStates : [f.prefixState];
  const stateText = `state ${listing(states, 'or')}`;
  const orders = others ? `in every order these ${count} ops allow, with or without any of the other ops on this key,` : `in every order these ${count} ops allow,`;
  const where =
    count === 1 && !others
      ? `the ${model.name} starts in ${stateText}`
      : count === 1
        ? `whichever of the other ops on this key took effect, the ${model.name} is in ${stateText} by the time it must take effect`
        : `${orders} the ${model.name} is in ${stateText} by the time it must take effect`;
  const context = parts.length ? `${parts.join('; ')}; ` : '';
  const impossible = states.length === 1 ? 'is impossible there' : 'is impossible from any of them';
  return `${who(b)}'s ${bDesc}${span(b)} cannot take effect: ${context}${where}, and ${bDesc} ${impossible}.`;
}

function opsOf(p: OpPairAt): string {
  return p.completion ? `ops ${p.invoke.index}/${p.completion.index}` : `op ${p.invoke.index}`;
}

/** The ops of a shown set as data: their event indices, the events in history order, and the timeline to draw. */
function shownSet(model: Model<unknown>, kept: readonly OpPairAt[]): { indices: number[]; ops: Op[]; timeline: ReportedOp[] } {
  const indices: number[] = [];
  for (const p of kept) {
    indices.push(p.invoke.index);
    if (p.completion) indices.push(p.completion.index);
  }
  const placed: [number, Op][] = kept.flatMap((p): [number, Op][] => (p.completion ? [[p.invokePos, p.invoke], [p.completePos, p.completion]] : [[p.invokePos, p.invoke]]));
  return {
    indices: indices.sort((a, b) => a - b),
    ops: placed.sort((a, b) => a[0] - b[0]).map(([, op]) => op),
    // The picture as data: the kept ops as reported, in history order; renderers draw them.
    timeline: kept.map((p) => reportOp(model, p)),
  };
}

/** The counterexample and its paragraph for a read of an overwritten value (see overwritten.ts). */
function explainOverwritten(model: Model<unknown>, pool: readonly OpPairAt[], w: Overwritten): Record<string, unknown> {
  // The read and its overwriter fail whatever the others did (every source is forced before the overwriter); the
  // last source is shown too, as the write the read most likely saw.
  const last = w.sources.length ? w.sources.reduce((a, b) => (pool[b].completePos > pool[a].completePos ? b : a)) : undefined;
  const idx = [w.read, w.overwriter, ...(last === undefined ? [] : [last])].sort((a, b) => pool[a].invokePos - pool[b].invokePos);
  const kept = idx.map((i) => pool[i]);
  const r = pool[w.read];
  const x = pool[w.overwriter];
  const rDesc = describePair(model, r);
  const xDesc = describePair(model, x);
  const xOp = model.prepare(x.invoke, x.completion);
  const rOp = model.prepare(r.invoke, r.completion);
  // A read overwriter only shows the state (any of those it fits); a write or cas leaves one.
  const shows = w.seen !== undefined;
  const states = w.seen ?? [xOp && model.growth?.reset ? model.growth.reset(xOp) : undefined];
  const stateText = states.every((s) => s !== undefined) ? listing(states.map((s) => model.describeState(s)), 'or') : '?';
  const done = seconds(x.completion?.time);
  const earlier = w.sources.length - 1;
  const sourceText =
    last === undefined
      ? `and no op on this key could have left a state where it fits`
      : `and ${earlier === 0 ? 'the only op' : 'every op'} that could have left a state where it fits had completed before ${xDesc} began ` +
        `(${earlier === 0 ? '' : 'the last, '}${describePair(model, pool[last])} by ${who(pool[last])}, ${opsOf(pool[last])}${earlier > 0 ? `; ${earlier} earlier` : ''})`;
  // A read returned the old value; a cas (or any op that needed a state) succeeded on it.
  const saw = rOp?.readOnly === false ? 'succeeded on a value' : 'returned a value';
  const began = rOp?.readOnly === false ? `${rDesc} began` : 'the read began';
  const explanation =
    `${who(r)}'s ${rDesc} (${opsOf(r)}${span(r).replace(/^ \(/, ', ').replace(/\)$/, '')}) ${saw} already overwritten when it began: ` +
    `${xDesc} by ${who(x)} (${opsOf(x)}) completed${done ? ` at ${done}` : ''} before ${began}, ` +
    `${shows ? 'finding' : 'leaving'} the ${model.name} in state ${stateText}, where ${rDesc} is impossible, ` +
    `${sourceText}. Adding any of the other ops on this key would not change that.`;
  return {
    ...shownSet(model, kept),
    explanation,
    // Found by its shape, not by ddmin: the read and its overwriter fail together whatever the others did, and
    // neither fails alone.
    minimal: true,
    checks: 0,
    robust: true,
    shape: 'overwritten-read',
  };
}

/** Ops of the prefix's end shown around the op the search could not place, when no small set explains it. */
const STOP_PREFIX_OPS = 8;
/** Most ops shown around it in all. */
const STOP_OPS = 20;

/**
 * When no small set of ops fails whatever the others did, the plain 1-minimal set is no explanation: it is
 * often a read whose write was dropped, not even the op the search stopped at. Then say what the search found
 * (the op it could not place after the longest linearizable prefix, and the only states the model could be in)
 * and show the ops around that point: the end of the prefix, and the ops that overlap the blocked one.
 */
function aroundTheStop(model: Model<unknown>, pairs: readonly OpPairAt[], f: PrefixFailure): Record<string, unknown> {
  const b = pairs[f.blocked];
  const tail = f.prefix.slice(-STOP_PREFIX_OPS);
  const from = Math.min(b.invokePos, ...tail.map((i) => pairs[i].invokePos));
  const near = new Set<number>([f.blocked, ...tail]);
  const overlapping: number[] = [];
  pairs.forEach((p, i) => {
    if (near.has(i) || p.maybe || p.invokePos >= b.completePos) return;
    // It overlaps the blocked op; an op that never completed is shown only if it began near it.
    const ends = p.completion?.type === 'ok' ? p.completePos : Infinity;
    if (ends > b.invokePos && (ends !== Infinity || p.invokePos >= from)) overlapping.push(i);
  });
  const shownOverlap = overlapping.slice(-Math.max(0, STOP_OPS - near.size));
  const idx = [...near, ...shownOverlap].sort((x, y) => pairs[x].invokePos - pairs[y].invokePos);
  const kept = idx.map((i) => pairs[i]);
  const states = f.deadStates.length ? f.deadStates : [f.prefixState];
  const bDesc = describePair(model, b);
  const overlapText = shownOverlap.length === 0 ? '' : shownOverlap.length === 1 ? ', and the one op that overlaps it' : `, and the ${shownOverlap.length} that overlap it`;
  const explanation =
    `after a linearizable prefix of ${f.prefix.length} ops, ${who(b)}'s ${bDesc} (${opsOf(b)}${span(b).replace(/^ \(/, ', ').replace(/\)$/, '')}) cannot be placed: ` +
    `the ${model.name} could only be in state ${listing(states, 'or')}, where ${bDesc} is impossible. ` +
    `No small set of ops was found that fails whatever the other ops on this key did, so the ops around that point are shown: ` +
    `the last ${tail.length} of the prefix${overlapText}.`;
  return {
    ...shownSet(model, kept),
    explanation,
    // Not a counterexample that fails on its own: the neighbourhood of the search's stop.
    minimal: false,
    robust: false,
    shape: 'search-stop',
  };
}

export function explainFailure(model: Model<unknown>, initial: unknown, part: Partition, verdict: PartitionVerdict, opts: ExplainOptions): Anomaly {
  // Keyless histories have no key to name (and no `key` field).
  const where = part.key === undefined ? '' : `key ${keyLabel(part.key)}: `;
  const anomaly: Anomaly = {
    kind: 'nonlinearizable',
    ...(part.key !== undefined ? { key: part.key } : {}),
    message: `${where}the history is not linearizable for a ${model.name}.`,
  };
  const f = verdict.failure;
  if (f) {
    const blocked = part.pairs[f.blocked];
    // A long prefix is listed by its end: that is where it stopped, and results files stay readable.
    const shownPrefix = f.prefix.slice(-PREFIX_TAIL);
    anomaly.prefix = {
      length: f.prefix.length,
      omitted: f.prefix.length - shownPrefix.length,
      ops: shownPrefix.map((i) => reportOp(model, part.pairs[i])),
      state: f.prefixState,
      blocked: reportOp(model, blocked),
      states: f.deadStates,
    };
    anomaly.message =
      `${where}after a linearizable prefix of ${f.prefix.length} ops, ${who(blocked)}'s ${describePair(model, blocked)} ` +
      `(op ${blocked.invoke.index}) cannot be placed: the ${model.name} could only be in ${listing(f.deadStates.length ? f.deadStates : [f.prefixState], 'or')}.`;
  }
  if (!opts.shrink || !f) return anomaly;

  const shrinkDeadline = Math.min(opts.deadline, Date.now() + (opts.shrinkMs ?? SHRINK_MS));
  // Ops invoked after the blocked op completed cannot matter: the search never got past that point.
  const cut = part.pairs[f.blocked].completePos;
  let pool = part.pairs.filter((p) => p.invokePos < cut);
  const total = opts.workStates ?? WORK_STATES;
  const work = { states: Math.ceil(total * (1 - ROBUST_SHARE)) };
  // Without growth pruning the search is exhaustive, and while its barrier is at or before `cut` its candidates
  // are exactly the pool's ops: had the pool a linearization, the search would have followed it past the blocked
  // op. So the pool surely fails alone, and the check (as costly as the search itself) is needed only when
  // pruning may have named a dead end early.
  if (verdict.pruned !== false && !failsAlone(model, initial, pool, shrinkDeadline, STATES_PER_CHECK, work, opts.maxRss)) pool = part.pairs.slice();
  const budget = { deadline: shrinkDeadline, maxChecks: SHRINK_CHECKS, statesPerCheck: STATES_PER_CHECK, work, maxRss: opts.maxRss };
  const plain = shrinkPairs(model, initial, pool, budget);
  const robustBudget = {
    ...budget,
    statesPerCheck: Math.min(STATES_PER_ROBUST_CHECK, Math.max(ROBUST_CHECK_FLOOR, verdict.states)),
    work: { states: Math.ceil(total * ROBUST_SHARE) },
  };
  // A plain set that holds whatever the others did is shown as it is (a read of a value nothing wrote). Else a
  // read of an overwritten value is found without a search and says plainly what conflicts; only when there is
  // none does the robust shrink run (searches with every other op left free, which seldom end in budget).
  // "Whatever the others did" is about every op of the key, not only the pool: an op invoked after the blocked op
  // completed may still be what a pool op read (a read in the pool can complete later). The pool is a prefix of
  // the key's pairs (both in invoke order), so its indices are the key's.
  const all = part.pairs;
  const plainRobust = failsWhateverOthersDid(model, initial, all, plain.kept, robustBudget);
  const stale = plainRobust ? undefined : findOverwrittenRead(model, initial, part.pairs, f.blocked, cut);
  const robust = stale ? undefined : shrinkRobust(model, initial, all, plain.kept, robustBudget, plainRobust);

  /** `withOthers`: explain the set as it fails together with any of the other ops (the robust property). */
  const build = (idx: readonly number[], note: string, withOthers = false): Record<string, unknown> => {
    const kept = idx.map((i) => all[i]);
    const inside = new Set(idx);
    const judged = withOthers ? all.map((p, i) => (inside.has(i) ? p : { ...p, maybe: true })) : kept;
    const judge = (prune: boolean): PartitionVerdict =>
      checkPartition(model, initial, { key: part.key, pairs: judged }, {
        deadline: Math.max(shrinkDeadline, Date.now() + 200),
        maxStates: withOthers ? STATES_PER_ROBUST_CHECK : STATES_PER_CHECK,
        maxRss: opts.maxRss,
        prune,
      });
    // The paragraph names the states at the blocked op, which growth pruning would name earlier; without it the
    // check may run out of budget, and then the pruned one still gives a paragraph.
    let small = judge(false);
    if (!small.failure) small = judge(true);
    return {
      ...shownSet(model, kept),
      explanation: explainParagraph(model, small.failure ? judged : kept, small) + note,
    };
  };

  const robustNote = ' Adding any of the other ops on this key would not change that.';
  let shown: Record<string, unknown>;
  if (!robust) {
    shown = { ...explainOverwritten(model, part.pairs, stale!), plain: { ...build(plain.kept, ''), minimal: plain.minimal, checks: plain.checks } };
  } else if (!robust.needed) {
    shown = { ...build(plain.kept, robustNote, true), minimal: plain.minimal, checks: plain.checks, robust: true };
  } else {
    // The plain result leans on ops it dropped: say which one, and show instead the set that holds up whatever
    // the others did, when one was found that is still small.
    let note = ' (Taken alone: with some of the other ops on this key these would be linearizable.)';
    if (robust.rescuer >= 0) {
      const x = all[robust.rescuer];
      const where = x.completion ? `ops ${x.invoke.index}/${x.completion.index}` : `op ${x.invoke.index}`;
      note = ` (Taken alone: with ${describePair(model, x)} by ${who(x)} (${where}) added, these ops would be linearizable.)`;
    }
    const plainShown = { ...build(plain.kept, note), minimal: plain.minimal, checks: plain.checks };
    const small = robust.kept.length <= Math.max(3 * plain.kept.length, plain.kept.length + 6);
    shown =
      robust.minimal && small
        ? { ...build(robust.kept, robustNote, true), minimal: true, checks: plain.checks + robust.checks, robust: true, plain: plainShown }
        : { ...aroundTheStop(model, part.pairs, f), checks: plain.checks + robust.checks, plain: plainShown };
  }
  anomaly.counterexample = shown;
  const cutNote = plain.minimal || !robust || shown.shape === 'search-stop' ? '' : CUT_NOTE;
  anomaly.message = `${where}${shown.explanation as string}${cutNote}`;
  // Top level too, where reports look for pictures (as data) and op indices.
  anomaly.timeline = shown.timeline;
  anomaly.indices = shown.indices;
  return anomaly;
}
