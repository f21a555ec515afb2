/**
 * The linearizability checker: is there one order of the history's ops, consistent with real time and with a
 * sequential model of the datatype, in which every ok op takes effect exactly once?
 *
 * Semantics follow Knossos: history order is array order (never `time`); invokes pair with completions by
 * process; `fail` ops never happened; `info` ops and unanswered invokes may take effect at any point after
 * their invoke, or never. The history is split by key and each key checked on its own (in worker threads when
 * there is enough work), and a failure comes with the longest linearizable prefix and a shrunk counterexample.
 */
import { availableParallelism, totalmem } from 'node:os';
import { InputError } from '../../histories/errors.js';
import type { Op } from '../../histories/op.js';
import { composeValidity, type Anomaly, type CheckResult } from '../result.js';
import { getModel } from '../models/index.js';
import type { Model } from '../models/model.js';
import type { Checker } from '../checker.js';
import { checkPartition, type PartitionVerdict } from './check-partition.js';
import { explainFailure } from './counterexample.js';
import { explainZones } from './zone-explain.js';
import { keyLabel, splitHistory, type Partition } from './split.js';
import { checkInWorkers, workerScript } from './pool.js';
import { memoryExceeded, mib, residentBytes } from './memory.js';

export interface LinearOptions {
  model: string;
  /** The model's start state (`--initial`); for kv, every absent key's start value. */
  initial?: unknown;
  /** Wall-clock budget for the whole check; past it the answer is `unknown`. Default: none. */
  timeoutMs?: number;
  /** Most distinct search configurations per key; past it that key (and so the answer) is `unknown`. */
  maxStates?: number;
  /**
   * Resident bytes the whole process may hold while checking: the program itself, the history as loaded, the
   * paired and compiled ops, every thread's search (memo, interned states) and the explanation's searches.
   * The searches stop with `unknown` (reason "memory: ...") before their next growth would pass it, and a
   * process already past it when the check starts answers `unknown` at once. Checked every few milliseconds,
   * so it may be passed by what a few milliseconds of search allocate. Default: `defaultMaxMemory()`.
   */
  maxMemory?: number;
  /** Threads, counting the calling one. Default: os.availableParallelism(); 1 checks in-process only. */
  workers?: number;
  /** Shrink the failing key's history to a minimal counterexample. Default true. */
  shrink?: boolean;
  /**
   * Fewest op pairs for which threads are considered (default 20,000); they are then started only if the
   * search turns out to be heavy. 0 starts them whenever `workers` > 1 (for tests).
   */
  minPairsForWorkers?: number;
  /**
   * Progress for long checks: keys finished, keys in all, and states explored so far. Called between keys,
   * and during the search of a key when it runs in-process (threads report only when a key is done).
   */
  onProgress?: (p: LinearProgress) => void;
}

export interface LinearProgress {
  keysDone: number;
  keys: number;
  states: number;
}

/**
 * What is wrong with the options, or undefined. Checked by hand rather than by a zod schema so that checking
 * a small file never builds one (building zod's first schema costs more than a small check).
 */
function badOptions(o: LinearOptions): string | undefined {
  if (typeof o !== 'object' || o === null) return 'options must be an object';
  if (typeof o.model !== 'string' || o.model === '') return 'model: must be a non-empty string';
  const num = (name: keyof LinearOptions, ok: (n: number) => boolean, what: string): string | undefined => {
    const v = o[name];
    return v === undefined || (typeof v === 'number' && Number.isFinite(v) && ok(v)) ? undefined : `${name}: must be ${what}, got ${String(v)}`;
  };
  return (
    num('timeoutMs', (n) => n > 0, 'a positive number') ??
    num('maxStates', (n) => n > 0 && Number.isInteger(n), 'a positive integer') ??
    num('maxMemory', (n) => n > 0, 'a positive number') ??
    num('workers', (n) => Number.isInteger(n) && n >= 1 && n <= 256, 'an integer from 1 to 256') ??
    num('minPairsForWorkers', (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer') ??
    (o.shrink === undefined || typeof o.shrink === 'boolean' ? undefined : `shrink: must be true or false, got ${String(o.shrink)}`)
  );
}

const DEFAULT_MAX_STATES = 50_000_000;

/**
 * The default memory budget of a check (the whole process): a quarter of the machine's memory, at most 4 GiB.
 * The JS heap's own limit (running out of it is a crash nothing can catch) is guarded apart, always (see
 * memory.ts), so the budget need not stay under it: most of a search's memory is typed arrays, off the heap.
 */
export function defaultMaxMemory(): number {
  // Read once: totalmem() reads /proc/meminfo, and a check of many small files asks once per file.
  return (defaultBudget ??= Math.floor(Math.min(4 * 2 ** 30, totalmem() / 4)));
}
let defaultBudget: number | undefined;

/**
 * Explanation (shrinking) of each failing key may explore this multiple of the states the search explored,
 * plus a floor, within a cap; counted in states, not time, so that a report is the same on every run.
 */
const EXPLAIN_FACTOR = 2;
const EXPLAIN_MIN_STATES = 5_000;
const EXPLAIN_MAX_STATES = 5_000_000;
/** A safety net for explanation in wall-clock time. */
const EXPLAIN_MAX_MS = 10_000;
/** Below this many op pairs, starting threads costs more than they could save. */
const WORKER_MIN_PAIRS = 20_000;
/** Failing keys that get a shrunk counterexample (each costs many small checks). */
const SHRINK_KEYS = 3;

async function search(ops: readonly Op[], opts: LinearOptions): Promise<CheckResult> {
  const bad = badOptions(opts);
  if (bad !== undefined) throw new InputError(`bad linearizability options: ${bad}`);
  const o = opts;
  if (!Array.isArray(ops)) throw new InputError('history must be a list of ops');
  const model = getModel(o.model) as Model<unknown>;
  model.init(o.initial); // bad initial values fail here, before any work
  const started = Date.now();
  const deadline = o.timeoutMs === undefined ? Infinity : started + o.timeoutMs;
  const maxStates = o.maxStates ?? DEFAULT_MAX_STATES;
  const maxMemory = o.maxMemory ?? defaultMaxMemory();
  const rssAtStart = residentBytes();
  if (rssAtStart >= maxMemory) {
    return {
      checker: 'linearizable',
      valid: 'unknown',
      anomalies: [],
      reason:
        `memory: the process already holds ${mib(rssAtStart)} (the program and the history as loaded) before the search starts, ` +
        `past the budget of ${mib(maxMemory)} (--max-memory)`,
      stats: { model: model.name, events: ops.length, limit: 'memory', elapsedMs: Date.now() - started },
    };
  }

  // Pairing a big history makes an object per op: it looks at memory as it goes, and once more at the end.
  const memoryStop = (): string | undefined => memoryExceeded(Date.now(), maxMemory, 0, true);
  const { partitions, stats: split, stopped } = splitHistory(ops, model.splitByKey, memoryStop, (invoke, completion) => model.prepare(invoke, completion, o.initial));
  const tooBig = stopped ?? memoryStop();
  if (tooBig !== undefined) {
    const reason = `${tooBig}, while pairing the history's ops`;
    return { checker: 'linearizable', valid: 'unknown', anomalies: [], reason, stats: { model: model.name, ...split, limit: 'memory', elapsedMs: Date.now() - started } };
  }
  const totalPairs = partitions.reduce((s, p) => s + p.pairs.length, 0);
  const workers = Math.min(o.workers ?? availableParallelism(), partitions.length);
  const script = workers > 1 && totalPairs >= (o.minPairsForWorkers ?? WORKER_MIN_PAIRS) ? workerScript() : undefined;
  // Each thread holds one key's search at a time; the memo's share is what the history left of the budget. The
  // whole process is bounded apart (maxRss), since the split and the compiled ops hold memory too.
  const maxBytes = (maxMemory - rssAtStart) / (script ? workers : 1);
  const maxRss = maxMemory;

  let verdicts: PartitionVerdict[];
  let threads = 1;
  if (script) {
    const adaptive = o.minPairsForWorkers !== 0;
    ({ verdicts, threads } = await checkInWorkers(script, workers - 1, model, o.model, o.initial, partitions, { deadline, maxStates, maxBytes, maxRss }, adaptive));
  } else {
    const onProgress = opts.onProgress;
    let statesBefore = 0;
    verdicts = partitions.map((p, i) => {
      const onTick = onProgress ? (states: number) => onProgress({ keysDone: i, keys: partitions.length, states: statesBefore + states }) : undefined;
      const v = checkPartition(model, o.initial, p, { deadline, maxStates, maxBytes, maxRss, onTick });
      statesBefore += v.states;
      onProgress?.({ keysDone: i + 1, keys: partitions.length, states: statesBefore });
      return v;
    });
  }

  const base = {
    checker: 'linearizable',
    stats: {
      model: model.name,
      keys: partitions.length,
      ...split,
      checkedOps: verdicts.reduce((s, v) => s + v.ops, 0),
      statesExplored: verdicts.reduce((s, v) => s + v.states, 0),
      // Keys decided by the zone test (read/write registers with unique writes), without a search.
      zoneKeys: verdicts.filter((v) => v.decidedBy === 'zones').length,
      workers: threads,
      elapsedMs: 0,
    } as Record<string, unknown>,
  };

  // A history of nemesis events alone is linearizable by definition (Knossos says valid), but it tested
  // nothing: it usually means the clients never ran. As a run with no successful op, it is unknown.
  if (split.events === split.ignored) {
    base.stats.elapsedMs = Date.now() - started;
    return { ...base, valid: 'unknown', anomalies: [], reason: 'the history has no client ops: it tested nothing' };
  }

  let valid = composeValidity(verdicts.map((v) => v.valid));
  const anomalies: Anomaly[] = [];
  const failing = verdicts.map((v, i) => [v, partitions[i]] as const).filter(([v]) => v.valid === false);
  // Explaining must not dominate the run: shrinking gets a budget in proportion to the search's own work,
  // within what is left of the deadline. The verdict never waits on it, and never depends on it.
  const explainDeadline = Math.min(deadline, Date.now() + EXPLAIN_MAX_MS);
  for (let i = 0; i < failing.length; i++) {
    const [v, part] = failing[i];
    const shrink = o.shrink !== false && i < SHRINK_KEYS;
    const shrinkMs = Math.max(0, explainDeadline - Date.now());
    const workStates = Math.min(EXPLAIN_MAX_STATES, EXPLAIN_MIN_STATES + EXPLAIN_FACTOR * v.states);
    try {
      anomalies.push(
        v.zone !== undefined && v.failure === undefined
          ? // The search could not get far enough to explain (the zone test decided): the handful of ops the
            // zone test names fail together, and they are the counterexample.
            explainZones(model, o.initial, part, v.zone, explainFailure(model, o.initial, part, v, { shrink: false, deadline: explainDeadline }))
          : explainFailure(model, o.initial, part, v, { shrink: shrink && shrinkMs > 0, deadline: explainDeadline, shrinkMs, workStates, maxRss }),
      );
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      const where = part.key === undefined ? '' : `key ${keyLabel(part.key)}: `;
      anomalies.push({ kind: 'nonlinearizable', ...(part.key !== undefined ? { key: part.key } : {}), message: `${where}the history is not linearizable for a ${model.name}. (Explanation cut short: ${err.message}.)` });
    }
  }
  const unknown = verdicts.filter((v) => v.valid === 'unknown');
  if (unknown.length > 0) {
    base.stats.unknownKeys = unknown.slice(0, 20).map((v) => ({
      key: keyLabel(v.key),
      reason: v.reason,
      limit: v.limit,
      deepest: v.deepest,
      okOps: v.okOps,
      states: v.states,
    }));
  }
  base.stats.elapsedMs = Date.now() - started;
  if (valid === 'unknown') {
    const u = unknown[0];
    base.stats.limit = u.limit;
    const reason =
      `${unknown.length} of ${verdicts.length} keys undecided; key ${keyLabel(u.key)}: ${u.reason ?? 'budget exceeded'} ` +
      `after ${u.states} states, at most ${u.deepest} of ${u.okOps} ok ops linearized at once`;
    return { ...base, valid, anomalies, reason };
  }
  valid = anomalies.length > 0 ? false : valid;
  return { ...base, valid, anomalies };
}

export async function checkLinearizable(ops: readonly Op[], opts: LinearOptions): Promise<CheckResult> {
  const r = await search(ops, opts);
  return { ...r, facts: { linearizable: r.valid, consistent: r.valid } };
}

/** The linearizability checker as a value, for one model; the run's budget comes from the context. */
export function linearizableChecker(model: string, initial: unknown = null): Checker {
  return { name: 'linearizable', check: (h, ctx) => checkLinearizable(h, { model, initial, timeoutMs: ctx.timeoutMs ?? 120_000 }) };
}

export type { Partition };
