/**
 * The transactional checker (after Elle): read the transactions, infer dependencies from the data model
 * (list-append or rw-register), add the orders in which clients ran them (process and real time), find the
 * anomalies with and without cycles, and judge them against the consistency models asked for.
 *
 * The result says which anomalies were found, the weakest models they rule out (`not`) and the stronger
 * ones (`alsoNot`), with each cycle both as an explanation a person can paste into a bug report and as data
 * (transactions and labelled steps) for a report to draw.
 */
import { performance } from 'node:perf_hooks';
import { InputError } from '../../histories/errors.js';
import type { Op } from '../../histories/op.js';
import type { Checker } from '../checker.js';
import type { Anomaly, CheckResult, Validity } from '../result.js';
import { findCycles, type FoundCycle } from './cycles.js';
import { addProcessEdges, addRealtimeEdges } from './graph.js';
import type { Inference } from './inference.js';
import { inferListAppend } from './list-append.js';
import { boundary, MODEL_NAMES, prohibitedBy, unknownModels, variantsFor } from './models.js';
import { inferRwRegister } from './rw-register.js';
import { describeTxn, readTxns, type Txn } from './txns.js';

export type TxnDataModel = 'list-append' | 'rw-register';

export interface TxnCheckOptions {
  /** The models the history is held to. Default strict-serializable, as Elle's. */
  consistencyModels?: readonly string[];
  /** Time budget for the cycle search in each strongly connected component, ms. Default 2000. */
  budgetMs?: number;
  /** Cycles reported per anomaly type (the rest are counted). Default 3. */
  maxPerType?: number;
  /** rw-register only: assume each key sequential / linearizable, for more of the version order (as Elle). */
  sequentialKeys?: boolean;
  linearizableKeys?: boolean;
}

/** One step of a cycle, for drawing: `from` precedes `to` by `rel`, because `why`. */
export interface CycleStep {
  from: string;
  to: string;
  rel: string;
  why: string;
}

export interface CycleData {
  type: string;
  txns: { name: string; op: number; process: number | string; outcome: string; mops: unknown[][] }[];
  steps: CycleStep[];
}

export interface TxnCheckResult extends CheckResult {
  /** Anomaly types found, worst first as searched. */
  anomalyTypes: string[];
  /** The weakest consistency models the history violates, and the stronger ones it violates too. */
  not: string[];
  alsoNot: string[];
  consistencyModels: string[];
}

const INFER: Record<TxnDataModel, (txns: readonly Txn[], opts: TxnCheckOptions) => Inference> = {
  'list-append': (txns) => inferListAppend(txns),
  'rw-register': (txns, opts) => inferRwRegister(txns, { sequentialKeys: opts.sequentialKeys, linearizableKeys: opts.linearizableKeys }),
};

/** "T1 < T2, because ..." for one step of a cycle. */
function why(inf: Inference, ops: readonly Op[], txns: readonly Txn[], a: number, b: number, rel: string, name: (id: number) => string): string {
  if (rel === 'process') return `${name(a)} and ${name(b)} ran on process ${String(txns[a].process)}, ${name(a)} first`;
  if (rel === 'realtime') return `${name(a)} completed (op ${ops[txns[a].completePos].index}) before ${name(b)} began (op ${txns[b].op})`;
  return inf.explain(a, b, rel as 'ww' | 'wr' | 'rw', name) ?? `${name(b)} depends on ${name(a)} (${rel})`;
}

function describeCycle(c: FoundCycle, inf: Inference, ops: readonly Op[], txns: readonly Txn[]): { message: string; data: CycleData } {
  const names = new Map(c.nodes.map((id, i) => [id, `T${i + 1}`]));
  const name = (id: number): string => names.get(id) ?? `op ${txns[id].op}`;
  const steps: CycleStep[] = c.nodes.map((a, i) => {
    const b = c.nodes[(i + 1) % c.nodes.length];
    return { from: name(a), to: name(b), rel: c.rels[i], why: why(inf, ops, txns, a, b, c.rels[i], name) };
  });
  const lets = `Let ${c.nodes.map((id) => describeTxn(txns[id], name(id))).join(', ')}.`;
  const parts = steps.map((s) => `${s.from} < ${s.to}, because ${s.why} (${s.rel})`);
  const last = parts.pop()!;
  const body = parts.length === 1 ? `Then ${parts[0]}. However, ${last}` : `Then ${parts.join('; ')}; however, ${last}`;
  const message = `${c.type}: ${lets} ${body}: a contradiction.`;
  const data: CycleData = {
    type: c.type,
    txns: c.nodes.map((id) => ({ name: name(id), op: txns[id].op, process: txns[id].process, outcome: txns[id].outcome, mops: txns[id].mops.map((m) => [m.f, m.key, m.value]) })),
    steps,
  };
  return { message, data };
}

export function checkTxn(ops: readonly Op[], dataModel: TxnDataModel, opts: TxnCheckOptions = {}): TxnCheckResult {
  const t0 = performance.now();
  const models = [...(opts.consistencyModels ?? ['strict-serializable'])];
  const bad = unknownModels(models);
  if (bad.length > 0) throw new InputError(`unknown consistency model ${bad.map((m) => `"${m}"`).join(', ')}; known: ${MODEL_NAMES.join(', ')}`);
  const { txns, otherOps } = readTxns(ops);
  const base = { checker: dataModel, consistencyModels: models, anomalyTypes: [], not: [], alsoNot: [] };
  if (txns.length === 0) {
    return { ...base, valid: 'unknown', anomalies: [], stats: { txns: 0, otherOps }, reason: `the history holds no txn operations${otherOps ? ` (${otherOps} other client ops)` : ''}` };
  }
  const inf = INFER[dataModel](txns, opts);
  const variants = variantsFor(models);
  if (variants.includes('-process')) addProcessEdges(inf.graph, txns);
  if (variants.includes('-realtime')) addRealtimeEdges(inf.graph, txns);
  const search = findCycles(inf.graph, { variants, budgetMs: opts.budgetMs ?? 2000, maxPerType: opts.maxPerType ?? 3 });

  const anomalies: Anomaly[] = [];
  const counts: Record<string, number> = {};
  for (const a of inf.anomalies) {
    counts[a.type] = (counts[a.type] ?? 0) + 1;
    if (counts[a.type] <= (opts.maxPerType ?? 3) * 3) anomalies.push({ kind: a.type, message: `${a.type}: ${a.message}`, ops: a.ops, ...(a.key !== undefined ? { key: a.key } : {}) });
  }
  for (const c of search.cycles) {
    counts[c.type] = (counts[c.type] ?? 0) + 1;
    const { message, data } = describeCycle(c, inf, ops, txns);
    anomalies.push({ kind: c.type, message, ops: data.txns.map((t) => t.op), cycle: data });
  }
  const types = Object.keys(counts);
  const prohibited = prohibitedBy(models);
  const violating = types.filter((t) => prohibited.has(t));
  const valid: Validity = violating.length > 0 ? false : search.incomplete.length > 0 ? 'unknown' : true;
  const { not, alsoNot } = boundary(types);
  const tolerated = types.filter((t) => !prohibited.has(t));
  const ok = txns.filter((t) => t.outcome === 'ok').length;
  const fail = txns.filter((t) => t.outcome === 'fail').length;
  return {
    ...base,
    valid,
    anomalies,
    facts: { consistent: valid, consistencyClaim: claimOf(valid, models, not, violating) },
    anomalyTypes: types,
    not,
    alsoNot,
    stats: {
      txns: txns.length,
      ok,
      info: txns.length - ok - fail,
      fail,
      ...inf.stats,
      edges: inf.graph.edges,
      cycleComponents: search.components,
      largestComponent: search.largestComponent,
      anomalyCounts: counts,
      ms: Math.round(performance.now() - t0),
      ...(otherOps ? { otherOps } : {}),
    },
    ...(valid === 'unknown' ? { reason: search.incomplete.join('; ') } : {}),
    ...(tolerated.length > 0 ? { note: `${tolerated.join(', ')} found, which ${models.join(' and ')} allow${models.length === 1 ? 's' : ''}` } : {}),
  };
}

/** The CAP sentence's words for this verdict: the models held, or the weakest broken and the anomalies that broke it. */
function claimOf(valid: Validity, models: readonly string[], not: readonly string[], violating: readonly string[]): string {
  if (valid === true) return models.join(' and ');
  if (valid === 'unknown') return `${models.join(' and ')} undecided`;
  const shown = violating.slice(0, 4).join(', ') + (violating.length > 4 ? ', ...' : '');
  return `not ${not.length > 0 ? not.join(' or ') : models.join(' and ')} (${shown})`;
}

/** A transactional checker as a value (checkers/checker.ts), for a data model and the models it holds to. */
export function txnChecker(dataModel: TxnDataModel, opts: TxnCheckOptions = {}): Checker {
  // A run's models (ctx) win over the value's own, so one checker value serves every run of a workload.
  return {
    name: dataModel,
    check: (h, ctx) =>
      checkTxn(h, dataModel, {
        ...opts,
        ...(ctx?.consistencyModels ? { consistencyModels: ctx.consistencyModels } : {}),
        ...(ctx?.sequentialKeys ? { sequentialKeys: true } : {}),
        ...(ctx?.linearizableKeys ? { linearizableKeys: true } : {}),
      }),
  };
}

export const listAppendChecker: Checker = txnChecker('list-append');
export const rwRegisterChecker: Checker = txnChecker('rw-register');
