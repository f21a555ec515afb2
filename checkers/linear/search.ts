/**
 * Just-in-time linearization search (Wing & Gong, Lowe; as Porcupine does it), on typed arrays.
 *
 * Ok ops live in a doubly linked list of call and return entries in history order. From a configuration
 * (ops linearized so far + model state) the candidates are the ok calls before the first remaining return
 * entry (the "barrier"), and then the optional ops (info or unanswered) invoked before that barrier. The
 * search linearizes the first candidate that steps and is not in the memo, and backtracks when none is left.
 * It succeeds once every ok op is linearized: optional ops may stay out, as if they never took effect.
 *
 * Optional ops are kept in their own list and tried only after the ok candidates fail: in a healthy history
 * they are never needed, so the common path never pays for them. Two more things keep them cheap:
 * - a dominance rule: linearizing optional op b right after optional op a is skipped when b alone, from the
 *   state before a, reaches the same state (e.g. two blind writes); that configuration uses a strict subset
 *   of optional ops and is explored anyway, so nothing is lost;
 * - the memo key describes the linearized set exactly and compactly (see `writeRep`).
 */
import type { Validity } from '../result.js';
import type { Model, ModelOp } from '../models/model.js';
import { canon } from '../models/canon.js';
import { okCount, type CompiledPartition } from './compile.js';
import { MemoTable } from './memo.js';
import { memoryExceeded, mib } from './memory.js';
import { OptionalSets } from './optional-sets.js';
import { randomHalves, Scratch } from './scratch.js';

export interface SearchLimits {
  /** Wall-clock deadline (Date.now() milliseconds). */
  deadline: number;
  /** Most distinct configurations to explore. */
  maxStates: number;
  /** Most turns of the search loop (see SearchOutcome.tries). Default: none. */
  maxTries?: number;
  /** Most bytes the memo, the interned states and the optional-op sets may hold (approximate). Default: none. */
  maxBytes?: number;
  /**
   * Most resident bytes of the whole process (the history, the compiled ops, every thread's search): the search
   * stops before its next growth would pass it (see memory.ts). The JS heap's own limit is guarded always.
   */
  maxRss?: number;
  /** Record up to this many distinct states at the furthest dead ends (default 8). */
  maxDeadStates?: number;
  /**
   * Never linearize two optional ops in a row. Incomplete (so only a success means anything), but it stops the
   * search from trying every order of every pending info op at each dead end; see `decideLinearizable`.
   */
  singleOptional?: boolean;
  /**
   * Drop configurations the model's `growth` order proves dead (default true). Off for the small checks that
   * word an explanation, so that the states they name are the ones at the blocked op, not earlier.
   */
  prune?: boolean;
  /** Called now and then (every 1024 steps, where the deadline is checked) with the states explored so far. */
  onTick?: (states: number) => void;
}

/** Which budget ended a search in `unknown`. */
export type SearchLimit = 'time' | 'states' | 'memory' | 'tries';

export interface SearchOutcome {
  valid: Validity;
  reason?: string;
  /** Set with `unknown`: the budget that ran out. */
  limit?: SearchLimit;
  /** Distinct configurations explored. */
  states: number;
  /** Model steps taken (transitions not already cached). */
  steps: number;
  /** Turns of the search loop (every op tried, cached or not): the measure of its work. */
  tries: number;
  /** Most ok ops linearized at once, of `okOps`. */
  deepest: number;
  okOps: number;
  /** History position of the completion of the furthest op that could not be placed (-1 if none). */
  bestBarrier: number;
  /** Op id (in the compiled partition) of that op. */
  blocked: number;
  /** Distinct model states at the dead ends in front of that op. */
  deadStates: unknown[];
  /**
   * When not linearizable: op ids in linearization order at the first dead end in front of `blocked` (the
   * longest linearizable prefix the search found), and the model state there.
   */
  prefix?: number[];
  prefixState?: unknown;
  /** On success: op ids in linearization order. */
  order?: number[];
  /** Growth pruning was on (the model has a growth order and the partition ops that grow it). */
  pruned: boolean;
}

/** Two ops with the same key step every state the same way. */
function twinKey(op: ModelOp): string {
  return `${op.f}\u0000${op.known ? 1 : 0}\u0000${canon(op.value)}`;
}

const TIME_CHECK_MASK = 1023;


/** Returns packed with their op id into one sortable number (see historyOrder). */
const RET_SHIFT = 2 ** 21;

/**
 * The call entries (0..n-1) and return entries (n..2n-1) of the ok ops, in history order. Calls are already in
 * order when the ops are numbered by invoke (as compilePartition numbers them), so only the returns need sorting:
 * each is packed with its op as position * 2^21 + op and the packed numbers sorted natively, then merged with the
 * calls. A comparator sort of all entries cost a few thousand closure calls per search, and explaining a failure
 * runs hundreds of searches. Positions are distinct (one event each), so any correct sort gives this order; the
 * comparator sort stays for what the packing cannot hold.
 */
export function historyOrder(n: number, optional: Uint8Array, call: Float64Array, ret: Float64Array, okOps: number): Int32Array | number[] {
  let inOrder = n < RET_SHIFT;
  let lastCall = -Infinity;
  for (let i = 0; i < n && inOrder; i++) {
    if (optional[i]) continue;
    if (!(call[i] > lastCall) || !(ret[i] >= 0 && ret[i] < 2 ** 31 && Math.floor(ret[i]) === ret[i])) inOrder = false;
    lastCall = call[i];
  }
  if (!inOrder) {
    const entries: number[] = [];
    for (let i = 0; i < n; i++) if (!optional[i]) entries.push(i, n + i);
    const pos = (e: number): number => (e < n ? call[e] : ret[e - n]);
    return entries.sort((a, b) => pos(a) - pos(b));
  }
  const rets = new Float64Array(okOps);
  let k = 0;
  for (let i = 0; i < n; i++) if (!optional[i]) rets[k++] = ret[i] * RET_SHIFT + i;
  rets.sort();
  const out = new Int32Array(2 * okOps);
  let o = 0;
  let r = 0;
  for (let i = 0; i < n; i++) {
    if (optional[i]) continue;
    // Returns that come before this call.
    while (r < okOps && Math.floor(rets[r] / RET_SHIFT) < call[i]) out[o++] = n + (rets[r++] % RET_SHIFT);
    out[o++] = i;
  }
  while (r < okOps) out[o++] = n + (rets[r++] % RET_SHIFT);
  return out;
}

/** The working arrays every search takes (see scratch.ts). */
const scratch = new Scratch();
/** Bytes per op the search's arrays take (19 Int32, 3 Float64, 3 byte arrays, and lists), beside the memo. */
const SETUP_BYTES_PER_OP = 120;

export function searchLinearization<S>(model: Model<S>, init: S, cp: CompiledPartition, limits: SearchLimits): SearchOutcome {
  const n = cp.n;
  const { ops, optional, call, ret } = cp;
  const memoExpected = Math.min(n * 2 + 16, 1 << 20);
  const okOps = okCount(cp);
  {
    // A big key's arrays are allocated at once, before the loop first looks at memory: look now.
    const setup = n * SETUP_BYTES_PER_OP + MemoTable.initialBytes(memoExpected);
    const mem = memoryExceeded(Date.now(), limits.maxRss, setup, n >= 10_000);
    if (mem !== undefined) {
      return { valid: 'unknown', reason: mem, limit: 'memory', states: 0, steps: 0, tries: 0, deepest: 0, okOps, bestBarrier: -1, blocked: -1, deadStates: [], pruned: false };
    }
  }
  // Int32 arrays: 19 per op (the lists, caches, stack, candidates, memo key and best stack); 3 of Float64, 3 of bytes.
  scratch.begin(n, 19, 3, 3);
  const maxDead = limits.maxDeadStates ?? 8;
  const singleOptional = limits.singleOptional === true;

  // Main list over entries 0..n-1 (calls of ok ops) and n..2n-1 (their returns); 2n is the sentinel.
  const SENT = 2 * n;
  const next = scratch.int32(2 * n + 1);
  const prev = scratch.int32(2 * n + 1);
  const entries = historyOrder(n, optional, call, ret, okOps);
  let last = SENT;
  for (let k = 0; k < entries.length; k++) {
    const e = entries[k];
    next[last] = e;
    prev[e] = last;
    last = e;
  }
  next[last] = SENT;
  prev[SENT] = last;

  // Optional ops, in invoke order; n is the sentinel.
  const ISENT = n;
  const inext = scratch.int32(n + 1);
  const iprev = scratch.int32(n + 1);
  last = ISENT;
  for (let i = 0; i < n; i++) {
    if (optional[i]) {
      inext[last] = i;
      iprev[i] = last;
      last = i;
    }
  }
  inext[last] = ISENT;
  iprev[ISENT] = last;

  const r1 = randomHalves(n, 0x51ed270b);
  const r2 = randomHalves(n, 0x2545f491);

  // States are interned to small ints; transitions are cached per op (two ways: the dominance rule asks for
  // the same op from two states in a row).
  const states: S[] = [];
  const stateIds = new Map<string | number, number>();
  /** Rough bytes held by interned states: their keys twice (as key and inside the state) plus Map overhead. */
  let stateBytes = 0;
  const intern = (s: S): number => {
    const k = model.hash(s);
    let id = stateIds.get(k);
    if (id === undefined) {
      id = states.length;
      states.push(s);
      stateIds.set(k, id);
      stateBytes += typeof k === 'string' ? 4 * k.length + 80 : 48;
    }
    return id;
  };
  // Twins: uncertain ops that do exactly the same thing (same model op) with the same freedom (no deadline).
  // Between two twins it never matters which one is linearized, so only the earliest pending one is tried.
  const prevTwin = scratch.int32(n, -1);
  const done = scratch.uint8(n);
  {
    const lastOf = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      if (!optional[i] || ret[i] !== Infinity) continue;
      const k = twinKey(ops[i]);
      const prevOp = lastOf.get(k);
      if (prevOp !== undefined) prevTwin[i] = prevOp;
      lastOf.set(k, i);
    }
  }
  const from1 = scratch.int32(n, -1);
  const to1 = scratch.int32(n);
  const from2 = scratch.int32(n, -1);
  const to2 = scratch.int32(n);
  let steps = 0;
  const transition = (op: number, sid: number): number => {
    if (from1[op] === sid) return to1[op];
    if (from2[op] === sid) return to2[op];
    steps++;
    const s = model.step(states[sid], ops[op]);
    const to = s === undefined ? -1 : intern(s);
    from2[op] = from1[op];
    to2[op] = to1[op];
    from1[op] = sid;
    to1[op] = to;
    return to;
  };

  // DFS stack: the op linearized at each depth and what to restore when it is undone.
  const stOp = scratch.int32(n);
  const stSid = scratch.int32(n);
  const stMaxOk = scratch.float64(n);
  const stMaxAll = scratch.float64(n);
  const stBarrier = scratch.float64(n);
  const stBlocked = scratch.int32(n);
  const stOptSet = scratch.int32(n);
  const optSets = new OptionalSets(n, randomHalves(n, 0x6a09e667));
  /** Id of the set of linearized optional ops (see OptionalSets). */
  let optSet = 0;

  const memo = new MemoTable(memoExpected);
  const rep = scratch.int32(n + 4);

  let sid = intern(init);
  let h1 = 0;
  let h2 = 0;
  let depth = 0;
  let okDepth = 0;
  let deepest = 0;
  /** Largest invoke position among linearized ok ops (-1: none). */
  let maxOk = -1;
  /** Largest invoke position among all linearized ops: an optional op that completed before it is too late. */
  let maxAll = -1;
  let barrier = 0;
  let blockedOp = -1;

  let bestBarrier = -1;
  let bestBlocked = -1;
  const deadSids: number[] = [];
  /**
   * The stack at the first dead end at `bestBarrier` (the prefix an explanation shows), kept as the search goes
   * so that no second pass is needed to find it. Entries below `lowWater` (the lowest depth since the last copy)
   * have not changed since then, so each copy only takes what was pushed since: the copies cost no more than the
   * pushes themselves.
   */
  let bestStack: Int32Array | undefined;
  let bestLen = 0;
  let bestSid = -1;
  let lowWater = 0;

  /**
   * The exact description of the linearized set, cheap because of how the search moves: ok ops invoked after
   * `maxOk` are never linearized, and every ok op invoked before it is, except those still in the list ahead of
   * it (they overlap the op at `maxOk`, so there are at most as many as there are processes). The linearized
   * optional ops are named by their interned set id.
   */
  const writeRep = (): number => {
    let len = 0;
    rep[len++] = maxOk;
    const countAt = len++;
    let e = next[SENT];
    while (e < n && call[e] < maxOk) {
      rep[len++] = e;
      e = next[e];
    }
    rep[countAt] = len - countAt - 1;
    rep[len++] = optSet;
    return len;
  };

  const lift = (op: number): void => {
    done[op] = 1;
    if (optional[op]) {
      const p = iprev[op];
      const q = inext[op];
      inext[p] = q;
      iprev[q] = p;
    } else {
      let p = prev[op];
      let q = next[op];
      next[p] = q;
      prev[q] = p;
      const r = n + op;
      p = prev[r];
      q = next[r];
      next[p] = q;
      prev[q] = p;
    }
  };
  const unlift = (op: number): void => {
    done[op] = 0;
    if (optional[op]) {
      inext[iprev[op]] = op;
      iprev[inext[op]] = op;
    } else {
      const r = n + op;
      next[prev[r]] = r;
      prev[next[r]] = r;
      next[prev[op]] = op;
      prev[next[op]] = op;
    }
  };

  /** Can any ok candidate (a call entry before the first return entry) step from state `from`? */
  const someOkCanFollow = (from: number): boolean => {
    for (let c = next[SENT]; c < n; c = next[c]) if (transition(c, from) >= 0) return true;
    return false;
  };

  const tryOp = (op: number): boolean => {
    if (optional[op] && ret[op] < maxAll) return false;
    const to = transition(op, sid);
    if (to < 0) return false;
    if (optional[op]) {
      // An optional op that changes nothing cannot help: leaving it out keeps every option open.
      if (to === sid) return false;
      if (depth > 0 && optional[stOp[depth - 1]] && (singleOptional || transition(op, stSid[depth - 1]) === to)) return false;
      // In the quick search an ok op must come next, so look before leaping (saves a memo entry per try).
      if (singleOptional && !someOkCanFollow(to)) return false;
    }
    const saveMax = maxOk;
    const saveAll = maxAll;
    const saveSet = optSet;
    if (!optional[op] && call[op] > maxOk) maxOk = call[op];
    if (call[op] > maxAll) maxAll = call[op];
    if (optional[op]) optSet = optSets.with(optSet, op);
    lift(op);
    const nh1 = h1 ^ r1[op];
    const nh2 = h2 ^ r2[op];
    if (!memo.add(nh1, nh2, to, rep, writeRep())) {
      unlift(op);
      maxOk = saveMax;
      maxAll = saveAll;
      optSet = saveSet;
      return false;
    }
    stOp[depth] = op;
    stSid[depth] = sid;
    stMaxOk[depth] = saveMax;
    stMaxAll[depth] = saveAll;
    stOptSet[depth] = saveSet;
    stBarrier[depth] = barrier;
    stBlocked[depth] = blockedOp;
    depth++;
    if (!optional[op]) {
      okDepth++;
      if (okDepth > deepest) deepest = okDepth;
    }
    sid = to;
    h1 = nh1;
    h2 = nh2;
    return true;
  };

  // Growth pruning (see Model.growth): from a new configuration, walk the pending ops in history order to the
  // first few reads. Every op that could take effect before such a read either grows the state or resets it to
  // a known state; if none of the current state and those reset states can grow into what the read saw, nothing
  // can rescue this configuration. The walk is capped, so a step stays cheap; a cap reached means "keep going".
  let growth = limits.prune === false ? undefined : model.growth;
  const grows = scratch.uint8(n);
  /** Interned state a non-growing op resets to: -1 none (stop pruning), -2 not computed yet. */
  const resetSid = scratch.int32(n, -2);
  if (growth) {
    // Only ops that grow without being reads (appends, adds) make orders explode; without any, the walk would
    // cost more than it saves (a plain register's history is all reads and resets).
    let growers = 0;
    for (let i = 0; i < n; i++) {
      grows[i] = growth.grows(ops[i]) ? 1 : 0;
      if (grows[i] && !ops[i].readOnly) growers++;
    }
    if (growers === 0) growth = undefined;
  }
  const PRUNE_WALK = 128;
  const PRUNE_READS = 16;
  const MAX_RESETS = 16;
  const resets = new Int32Array(MAX_RESETS);
  /**
   * (state id, read) -> can reach, for the states the walk asks about again and again: a few slots per read,
   * replaced round-robin (typed arrays, allocated only when the model has growth: a Map keyed by numbers cost
   * a third of the walk).
   */
  const SLOTS = 4;
  const cacheSid = growth ? new Int32Array(n * SLOTS).fill(-1) : new Int32Array(0);
  const cacheOk = new Uint8Array(cacheSid.length);
  const cacheNext = new Uint8Array(growth ? n : 0);
  const canReach = (s: number, r: number): boolean => {
    const base = r * SLOTS;
    for (let i = 0; i < SLOTS; i++) if (cacheSid[base + i] === s) return cacheOk[base + i] === 1;
    const v = growth!.canReach(states[s], ops[r]);
    const at = base + cacheNext[r];
    cacheNext[r] = (cacheNext[r] + 1) % SLOTS;
    cacheSid[at] = s;
    cacheOk[at] = v ? 1 : 0;
    return v;
  };
  let nResets = 0;
  /** Note a non-growing op that could take effect before the reads still to come; false: cannot prune. */
  const noteReset = (op: number): boolean => {
    let rs = resetSid[op];
    if (rs === -2) {
      const to = growth!.reset?.(ops[op]);
      rs = resetSid[op] = to === undefined ? -1 : intern(to);
    }
    if (rs < 0) return false;
    for (let i = 0; i < nResets; i++) if (resets[i] === rs) return true;
    if (nResets === MAX_RESETS) return false;
    resets[nResets++] = rs;
    return true;
  };
  /** A pending read the current configuration can never reach a fitting state for, or -1. */
  const hopelessRead = (): number => {
    if (!growth) return -1;
    let walked = 0;
    let reads = 0;
    nResets = 0;
    let o = inext[ISENT];
    for (let e = next[SENT]; e !== SENT; e = next[e]) {
      if (++walked > PRUNE_WALK) return -1;
      if (e < n) {
        if (!grows[e] && !noteReset(e)) return -1;
        continue;
      }
      const r = e - n;
      if (!ops[r].readOnly) continue;
      // Optional ops invoked before this read returns could take effect before it too.
      for (; o !== ISENT && call[o] < ret[r]; o = inext[o]) {
        if (++walked > PRUNE_WALK) return -1;
        if (!grows[o] && !noteReset(o)) return -1;
      }
      let ok = canReach(sid, r);
      for (let i = 0; i < nResets && !ok; i++) ok = canReach(resets[i], r);
      if (!ok) return r;
      if (++reads >= PRUNE_READS) return -1;
    }
    return -1;
  };

  const outcome = (valid: Validity, reason?: string, limit?: SearchLimit): SearchOutcome => ({
    valid,
    reason,
    limit,
    states: memo.count,
    steps,
    tries: iter,
    deepest,
    okOps,
    bestBarrier,
    blocked: bestBlocked,
    deadStates: deadSids.map((s) => states[s]),
    pruned: growth !== undefined,
  });
  /** The outcome of a search that proved the key not linearizable, with the prefix at its furthest dead end. */
  const failed = (): SearchOutcome => {
    const out = outcome(false);
    if (bestStack !== undefined) {
      out.prefix = Array.from(bestStack.subarray(0, bestLen));
      out.prefixState = states[bestSid];
    }
    return out;
  };

  // Forcing (see below) is sound only if no optional op has a deadline (shrinking's `maybe` ops do).
  let canForce = true;
  for (let i = 0; i < n; i++) if (optional[i] && ret[i] !== Infinity) canForce = false;
  const stForced = scratch.uint8(n);

  // The ok candidates of the current configuration (the call entries before the first return entry), tried
  // earliest return first: the op that must take effect soonest is the likeliest to be next in a real
  // linearization, and an op that hangs until the end of the history (a client cut off by a partition) is
  // tried last instead of first. The order changes no verdict, only how soon a valid history is found.
  const cand = scratch.int32(n);
  let candLen = 0;
  let ci = 0;
  /** The first return entry after the candidates (SENT when none). */
  let firstRet = SENT;
  const collect = (): void => {
    candLen = 0;
    let c = next[SENT];
    for (; c < n; c = next[c]) {
      // Insertion by (ret, call): the candidates are as many as the ops in flight at once.
      let j = candLen++;
      const rc = ret[c];
      while (j > 0 && (ret[cand[j - 1]] > rc || (ret[cand[j - 1]] === rc && call[cand[j - 1]] > call[c]))) {
        cand[j] = cand[j - 1];
        j--;
      }
      cand[j] = c;
    }
    firstRet = c;
    ci = 0;
  };
  /**
   * The cheap start at a fresh configuration: only the earliest-returning candidate, found in one pass. In a
   * healthy history it usually steps, and the full sorted list is then never needed; `collect` builds it when
   * it does not.
   */
  let partial = false;
  const collectFirst = (): void => {
    let best = -1;
    let c = next[SENT];
    for (; c < n; c = next[c]) {
      if (best < 0 || ret[c] < ret[best] || (ret[c] === ret[best] && call[c] < call[best])) best = c;
    }
    firstRet = c;
    ci = 0;
    candLen = 0;
    if (best >= 0) cand[candLen++] = best;
    partial = true;
  };

  let phase1 = true;
  let fresh = true;
  collectFirst();
  let inf = ISENT;
  let iter = 0;
  for (;;) {
    if (okDepth === okOps) {
      const out = outcome(true);
      out.order = Array.from(stOp.subarray(0, depth));
      return out;
    }
    if ((++iter & TIME_CHECK_MASK) === 0) {
      const now = Date.now();
      if (now > limits.deadline) return outcome('unknown', 'timeout (--timeout)', 'time');
      if (memo.count > limits.maxStates) return outcome('unknown', `explored more than ${limits.maxStates} states (--max-states)`, 'states');
      if (limits.maxTries !== undefined && iter > limits.maxTries) return outcome('unknown', `tried more than ${limits.maxTries} steps`, 'tries');
      const memoBytes = memo.bytes();
      if (limits.maxBytes !== undefined && memoBytes + stateBytes + optSets.bytes > limits.maxBytes) {
        return outcome('unknown', `memory: the search needed more than the ${mib(limits.maxBytes)} left of its budget after the history (--max-memory)`, 'memory');
      }
      const mem = memoryExceeded(now, limits.maxRss, memoBytes);
      if (mem !== undefined) return outcome('unknown', mem, 'memory');
      limits.onTick?.(memo.count);
    }
    let dead = false;
    let deadAt = -1;
    if (fresh) {
      const r = hopelessRead();
      if (r >= 0) {
        dead = true;
        deadAt = r;
      }
    }
    if (phase1 && fresh && canForce && !dead) {
      fresh = false;
      // A read-only ok candidate that fits the current state can always go first: in any linearization from
      // here it can be moved to the front, past the ops it overlaps, without breaking real time (it is a
      // candidate) or the model (it changes nothing, and it fits now). So take it and try no alternatives: if
      // it fails, so does this configuration. This removes most wrong turns at high concurrency.
      for (let c = next[SENT]; c < n; c = next[c]) {
        if (!ops[c].readOnly || transition(c, sid) !== sid) continue;
        if (tryOp(c)) {
          stForced[depth - 1] = 1;
          fresh = true;
          collectFirst();
        } else {
          dead = true;
        }
        break;
      }
      if (fresh) continue;
    }
    if (phase1 && !dead) {
      if (ci < candLen) {
        if (tryOp(cand[ci])) {
          collectFirst();
          fresh = true;
        } else if (partial) {
          // The earliest-returning candidate failed: now all of them, in order, after it.
          collect();
          partial = false;
          ci = 1;
        } else {
          ci++;
        }
        continue;
      }
      // The ok candidates are exhausted; now the optional ops invoked before the first return entry.
      const e = firstRet;
      barrier = ret[e - n];
      blockedOp = e - n;
      phase1 = false;
      inf = inext[ISENT];
    }
    if (!dead && inf !== ISENT && call[inf] < barrier) {
      // An earlier, still pending twin will be (or was) tried from this same configuration instead.
      const twin = prevTwin[inf];
      if (twin >= 0 && !done[twin]) {
        inf = inext[inf];
        continue;
      }
      if (tryOp(inf)) {
        phase1 = true;
        fresh = true;
        collectFirst();
      } else {
        inf = inext[inf];
      }
      continue;
    }
    if (!dead || deadAt >= 0) {
      // Dead end: nothing can be placed before the op whose completion is at `at` (for a hopeless read, the
      // read itself: whatever else takes effect first, it cannot).
      const at = deadAt >= 0 ? ret[deadAt] : barrier;
      if (at > bestBarrier) {
        bestBarrier = at;
        bestBlocked = deadAt >= 0 ? deadAt : blockedOp;
        deadSids.length = 0;
        if (bestStack === undefined) {
          bestStack = scratch.int32(n);
          lowWater = 0;
        }
        const from = lowWater < bestLen ? lowWater : bestLen;
        for (let i = from; i < depth; i++) bestStack[i] = stOp[i];
        bestLen = depth;
        bestSid = sid;
        lowWater = depth;
      }
      if (at === bestBarrier && deadSids.length < maxDead && !deadSids.includes(sid)) deadSids.push(sid);
    }
    // Backtrack; past a forced op, its configuration is dead too.
    let op: number;
    for (;;) {
      if (depth === 0) return failed();
      depth--;
      if (depth < lowWater) lowWater = depth;
      op = stOp[depth];
      unlift(op);
      sid = stSid[depth];
      h1 ^= r1[op];
      h2 ^= r2[op];
      maxOk = stMaxOk[depth];
      maxAll = stMaxAll[depth];
      optSet = stOptSet[depth];
      if (!optional[op]) okDepth--;
      const forced = stForced[depth];
      stForced[depth] = 0;
      if (!forced) break;
    }
    fresh = false;
    if (optional[op]) {
      phase1 = false;
      barrier = stBarrier[depth];
      blockedOp = stBlocked[depth];
      inf = inext[op];
    } else {
      phase1 = true;
      collect();
      partial = false;
      ci = cand.indexOf(op, 0) + 1;
    }
  }
}

/**
 * Fewest uncertain ops for which the quick search runs first. With fewer, the orders of them the complete search
 * may try at a dead end are few, and on a history that is not linearizable (where the quick search can only
 * fail) it would double the work: the usual timed-out op or two of a Jepsen log pay nothing for it.
 */
const QUICK_MIN_OPTIONAL = 8;

/**
 * The complete search, preceded by a quick incomplete one (when there are at least QUICK_MIN_OPTIONAL uncertain ops). Between two ok ops a valid linearization rarely
 * needs more than one uncertain op, and searching with that restriction avoids trying every order of the
 * pending uncertain ops at each dead end (with a few dozen pending appends that is millions of states). A
 * linearization it finds is a real one, so `true` is final; otherwise the complete search decides. The quick
 * search gets a small state budget: when the restriction does bite, it can wander much longer than the
 * complete search (whose dominance rule it lacks) would.
 */
export function decideLinearizable<S>(model: Model<S>, init: S, cp: CompiledPartition, limits: SearchLimits): SearchOutcome {
  let optionals = 0;
  for (let i = 0; i < cp.n && optionals < QUICK_MIN_OPTIONAL; i++) optionals += cp.optional[i];
  if (optionals < QUICK_MIN_OPTIONAL) return searchLinearization(model, init, cp, limits);
  const quickStates = Math.min(limits.maxStates, 8 * cp.n + 10_000);
  const quick = searchLinearization(model, init, cp, { ...limits, singleOptional: true, maxStates: quickStates });
  // Out of time or memory, the complete search would be too: only the quick search's own state cap lets it go on.
  if (quick.valid === true || (quick.valid === 'unknown' && (quick.limit === 'time' || quick.limit === 'memory'))) return quick;
  const full = searchLinearization(model, init, cp, limits);
  full.states += quick.states;
  full.steps += quick.steps;
  full.tries += quick.tries;
  return full;
}
