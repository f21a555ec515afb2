/**
 * The data behind report.html: a run's metadata, its checkers' results and its history, reduced to what the
 * page draws (op bars per client lane, fault bands, rate and latency bins, final reads, the ops each finding
 * names). The page only draws; every decision about what to keep is made here.
 *
 * Big histories are downsampled for the timeline and the scatter, but every op a finding names, and every
 * `info` op, is always kept; the rate and quantile curves are computed from every op.
 */
import { FINAL_READ, FINAL_READ_PROCESS_BASE, HEAL } from '../../../histories/conventions.js';
import { effectOf } from '../../../histories/nemesis-value.js';
import type { Op } from '../../../histories/op.js';
import type { RunMeta, RunResults } from '../../../histories/run-record.js';
import { rerunCommand } from '../../cli/rerun.js';
import { faultRowOrder } from '../fault-rows.js';
import { isTimelineData, renderTimeline } from '../timeline-text.js';
import { downWord, topologyData, type TopologyView } from './topology-data.js';

/** Ops (invoke + completion pairs) drawn at most; past it ok and fail ops are sampled evenly. */
export const MAX_DRAWN_OPS = 100_000;
/** Bins of the rate and quantile curves. */
const PERF_BINS = 300;
/** A value longer than this is clipped in the page (the history file keeps it whole). */
const CLIP = 160;
/** Findings shown per checker; the rest are counted. */
const MAX_FINDINGS = 50;

export interface ReportInput {
  meta?: RunMeta;
  results?: RunResults;
  ops: Op[];
  /** Where the history came from (shown when there is no run.json). */
  source: string;
  warnings?: string[];
  /** Ops drawn at most (default MAX_DRAWN_OPS). */
  maxDrawn?: number;
}

export type OpKind = 0 | 1 | 2 | 3; // ok, fail, info, pending

export interface FaultBand {
  kind: string;
  /** The row it is drawn on: a fault kind, or `kill n3`-style rows for per-node faults. */
  row: string;
  start: number;
  end: number;
  label: string;
  detail: string;
}

export interface ReportData {
  title: string;
  generatedAt: string;
  source: string;
  warnings: string[];
  run: null | {
    test: string;
    id: string;
    status: string;
    error?: string;
    startedAt: string;
    finishedAt?: string;
    seed: string;
    config: Record<string, unknown>;
    versions: Record<string, string>;
    rerun: string;
  };
  verdict: true | false | 'unknown' | null;
  cap: string | null;
  summary: Record<string, unknown> | null;
  checkers: {
    checker: string;
    valid: true | false | 'unknown';
    enforced: boolean | null;
    reason?: string;
    note?: string;
    stats: Record<string, unknown>;
    findings: Record<string, unknown>[];
    moreFindings: number;
  }[];
  /** `ms`: times are milliseconds since the run began; `index`: the history has no times, so op index stands in. */
  clock: 'ms' | 'index';
  span: [number, number];
  lanes: string[];
  fNames: string[];
  /** The `f` of the harness's final reads (histories/conventions.ts), for the browser side, which imports nothing. */
  finalReadF: string;
  /** Columnar, one entry per drawn op, sorted by start. */
  ops: {
    lane: number[];
    start: number[];
    end: number[];
    kind: OpKind[];
    f: number[];
    invoke: number[];
    /** Completion index, -1 when the op never completed. */
    done: number[];
    /** [key, value, node, error] as display text. */
    text: [string, string, string, string][];
  };
  sampled: { total: number; drawn: number };
  faults: FaultBand[];
  /** The fault rows top to bottom: by when each row's first fault started, ties by name (fault-rows.ts). */
  faultRows: string[];
  perf: {
    binMs: number;
    t: number[];
    ok: number[];
    fail: number[];
    info: number[];
    p50: (number | null)[];
    p95: (number | null)[];
    p99: (number | null)[];
  };
  /** The last round of final reads: one row per (node, key). */
  finals: { node: string; key: string; value: string; ok: boolean }[];
  /** History indices named by failing findings, first error first. */
  flagged: number[];
  /** The network: nodes, links, what partitions cut (drawn as an SVG by topology-svg.ts); null under two nodes. */
  topology: TopologyView | null;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const roundTo = (decimals: number) => {
  const k = 10 ** decimals;
  return (x: number): number => Math.round(x * k) / k;
};
/** Shortest latency drawn on the log scale (ms): a zero-length op still needs a place on it. */
export const MIN_LATENCY_MS = 0.0001;
/** Latencies to three significant digits (at least 0.01 ms resolution above 1 ms). */
const roundLatency = (ms: number): number => (ms >= 1 ? round2(ms) : Number(ms.toPrecision(3)));
/**
 * Decimals of ms a time needs: 2 (10 µs) for any history over a second, more for shorter spans, so that a span
 * keeps about 5 significant digits; or, given a bin width, enough to tell bins apart.
 */
function timeDecimals(spanMs: number, stepMs?: number): number {
  const unit = stepMs ?? spanMs / 1e3;
  if (!(unit > 0) || unit >= 0.01) return 2;
  return Math.min(9, Math.ceil(-Math.log10(unit)));
}
/** The smallest of 1, 2 or 5 times a power of ten that is at least x (x <= 0 gives 1). */
export function niceStep(x: number): number {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * p >= x * (1 - 1e-12)) return Number((m * p).toPrecision(1));
  return 10 * p;
}

export function clipText(v: unknown, max = CLIP): string {
  let s: string;
  if (v === undefined) return '';
  if (typeof v === 'string') s = v;
  else {
    try {
      s = JSON.stringify(v) ?? String(v);
    } catch {
      s = String(v);
    }
  }
  return s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
}

/** Clip every long string and long array inside a finding so one huge set cannot bloat the page. */
function clipDeep(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return v.length > 4000 ? `${v.slice(0, 4000)}… (${v.length} chars)` : v;
  if (v === null || typeof v !== 'object') return v;
  if (depth > 6) return clipText(v);
  if (Array.isArray(v)) {
    const head = v.slice(0, 200).map((x) => clipDeep(x, depth + 1));
    if (v.length > 200) head.push(`… ${v.length - 200} more`);
    return head;
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = clipDeep(x, depth + 1);
  return out;
}

const OP_INDEX_FIELDS = new Set(['op', 'ops', 'index', 'indices', 'invokeIndex', 'completionIndex', 'reads', 'readOps', 'writeOp', 'readOp']);

/** Every history index a finding names, wherever the checker put it. */
export function indicesOf(finding: unknown, out: number[] = [], field = '', depth = 0): number[] {
  if (depth > 8) return out;
  if (typeof finding === 'number') {
    if (OP_INDEX_FIELDS.has(field) && Number.isInteger(finding) && finding >= 0) out.push(finding);
    return out;
  }
  if (Array.isArray(finding)) {
    for (const x of finding) indicesOf(x, out, field, depth + 1);
    return out;
  }
  if (finding && typeof finding === 'object') {
    for (const [k, v] of Object.entries(finding)) {
      // Pictures and whole ops are not indices of their own (an op's own `index` is, one level down).
      if (k === 'timeline' || k === 'message' || k === 'explanation' || k === 'plain') continue;
      // A linearizable prefix is context, not the fault: only the op that cannot follow it is named.
      if (k === 'prefix' && v && typeof v === 'object') {
        indicesOf((v as Record<string, unknown>).blocked, out, '', depth + 1);
        continue;
      }
      indicesOf(v, out, k === 'ops' && Array.isArray(v) && typeof v[0] === 'object' ? '' : k, depth + 1);
    }
  }
  return out;
}

/** A counterexample's ops come from the checker as data; the page draws them (SVG) and shows them as text, drawn here. */
function withTimelineText(a: Record<string, unknown>): Record<string, unknown> {
  const cx = a.counterexample as Record<string, unknown> | undefined;
  if (!cx || typeof cx !== 'object' || !isTimelineData(cx.timeline)) return a;
  return { ...a, counterexample: { ...cx, timelineText: renderTimeline(cx.timeline) } };
}

function laneOf(process: number, concurrency: number | undefined): { lane: string; order: number } {
  if (process >= FINAL_READ_PROCESS_BASE) return { lane: 'final reads', order: 1e12 };
  if (concurrency) return { lane: `client ${process % concurrency}`, order: process % concurrency };
  return { lane: `p${process}`, order: process };
}

function sidesOf(value: Record<string, unknown>): string {
  const comps = value.components;
  if (Array.isArray(comps)) return comps.map((c) => (Array.isArray(c) ? c.join(' ') : String(c))).join(' | ');
  const grudge = value.grudge;
  if (!grudge || typeof grudge !== 'object') return '';
  const groups = new Map<string, string[]>();
  for (const [node, from] of Object.entries(grudge as Record<string, unknown>)) {
    const k = Array.isArray(from) ? [...from].map(String).sort().join(',') : '';
    groups.set(k, [...(groups.get(k) ?? []), node]);
  }
  return [...groups.values()].map((g) => g.sort().join(' ')).join(' | ');
}

function grudgeText(value: Record<string, unknown>): string {
  const grudge = value.grudge;
  if (!grudge || typeof grudge !== 'object') return clipText(value, 400);
  const lines = Object.entries(grudge as Record<string, unknown>)
    .filter(([, from]) => Array.isArray(from) && from.length > 0)
    .map(([node, from]) => `${node} hears nothing from ${(from as unknown[]).join(', ')}`);
  return lines.join('; ') || 'no link cut';
}

function faultBands(ops: Op[], meta: RunMeta | undefined, toX: (op: Op) => number | undefined, end: number): FaultBand[] {
  let events: { at: number; f: string; value: unknown }[] = [];
  for (const op of ops) {
    if (op.process !== 'nemesis') continue;
    const at = toX(op);
    if (at === undefined) continue;
    events.push({ at, f: op.f, value: op.value });
  }
  // A history without nemesis events (an imported one, or a crashed run) still has the planned schedule.
  if (!events.some((e) => e.f.startsWith('start-')) && meta) {
    events = meta.faultSchedule.map((e) => ({ at: e.at * 1000, f: e.f, value: e.value }));
  }
  const bands: FaultBand[] = [];
  const open = new Map<string, { at: number; value: unknown }[]>();
  const close = (kind: string, start: number, stop: number, value: unknown) => {
    const v = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
    const nodes = Array.isArray(v.nodes) ? v.nodes.map(String) : [];
    if (kind === 'partition') {
      const sides = sidesOf(v);
      bands.push({ kind, row: 'partition', start, end: stop, label: `${String(v.shape ?? 'partition')}: ${sides}`, detail: grudgeText(v) });
    } else if (effectOf(kind, value) === 'node-down' && nodes.length) {
      // Any fault that takes nodes down (its value says so) gets one band per node, whatever its name.
      for (const n of nodes) bands.push({ kind, row: `${kind} ${n}`, start, end: stop, label: `${n} ${downWord(kind)}`, detail: `${kind} ${n}` });
    } else if (kind === 'clock' && v.offsets && typeof v.offsets === 'object') {
      for (const [n, off] of Object.entries(v.offsets as Record<string, unknown>)) {
        bands.push({ kind, row: `clock ${n}`, start, end: stop, label: `${n} clock ${clipText(off, 20)}`, detail: `clock skew on ${n}: ${clipText(off, 60)}` });
      }
    } else {
      bands.push({ kind, row: kind, start, end: stop, label: `${kind} ${clipText(v, 60)}`, detail: `${kind}: ${clipText(v, 400)}` });
    }
  };
  for (const e of events) {
    const m = /^(start|stop)-(.+)$/.exec(e.f);
    if (!m) {
      if (e.f === HEAL) {
        for (const [kind, list] of open) for (const o of list) close(kind, o.at, e.at, o.value);
        open.clear();
      }
      continue;
    }
    const kind = m[2];
    const list = open.get(kind) ?? [];
    if (m[1] === 'start') {
      list.push({ at: e.at, value: e.value });
      open.set(kind, list);
    } else {
      const same = list.findIndex((o) => JSON.stringify(o.value) === JSON.stringify(e.value));
      const i = same >= 0 ? same : 0;
      const o = list[i];
      if (o) {
        list.splice(i, 1);
        close(kind, o.at, e.at, o.value);
      }
    }
  }
  for (const [kind, list] of open) for (const o of list) close(kind, o.at, end, o.value);
  return bands.sort((a, b) => a.start - b.start);
}

function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Evenly spaced keep/drop that always keeps the same share: deterministic, so reports are reproducible. */
function sampler(total: number, keep: number): () => boolean {
  if (keep >= total) return () => true;
  const ratio = keep / total;
  let acc = 0;
  return () => {
    acc += ratio;
    if (acc >= 1) {
      acc -= 1;
      return true;
    }
    return false;
  };
}

export function buildReportData(input: ReportInput): ReportData {
  const { meta, results, ops } = input;
  const hasTime = ops.some((o) => o.time !== undefined);
  const clock: ReportData['clock'] = hasTime ? 'ms' : 'index';
  // Times are drawn in ms, to 0.01 ms; a history that spans only a few ms (an in-process system, a synthetic
  // history) keeps as many more decimals as it needs to be more than one point.
  let t0 = Infinity;
  let t1 = -Infinity;
  if (hasTime) {
    for (const op of ops) {
      if (op.time === undefined) continue;
      if (op.time < t0) t0 = op.time;
      if (op.time > t1) t1 = op.time;
    }
  }
  const roundMs = roundTo(timeDecimals(t1 > t0 ? (t1 - t0) / 1e6 : 0));
  const toX = (op: Op): number | undefined => (hasTime ? (op.time === undefined ? undefined : roundMs(op.time / 1e6)) : op.index);
  const concurrency = meta?.config.concurrency;

  // Findings, and the ops they name.
  const checkers: ReportData['checkers'] = [];
  const flaggedSet = new Set<number>();
  const flagged: number[] = [];
  for (const r of results?.checkers ?? []) {
    const anomalies = r.anomalies as Record<string, unknown>[];
    if (r.valid !== true) {
      for (const a of anomalies) {
        for (const i of indicesOf(a)) {
          if (!flaggedSet.has(i)) {
            flaggedSet.add(i);
            flagged.push(i);
          }
        }
      }
    }
    checkers.push({
      checker: r.checker,
      valid: r.valid,
      enforced: typeof r.enforced === 'boolean' ? r.enforced : null,
      reason: r.reason,
      note: typeof r.note === 'string' ? r.note : undefined,
      stats: clipDeep(r.stats) as Record<string, unknown>,
      findings: anomalies.slice(0, MAX_FINDINGS).map((a) => clipDeep(withTimelineText(a)) as Record<string, unknown>),
      moreFindings: Math.max(0, anomalies.length - MAX_FINDINGS),
    });
  }

  // Pair invokes with completions, by process.
  interface Pair {
    invoke: Op;
    done?: Op;
  }
  const pairs: Pair[] = [];
  const pending = new Map<string | number, Pair>();
  for (const op of ops) {
    if (typeof op.process !== 'number') continue;
    if (op.type === 'invoke') {
      const p: Pair = { invoke: op };
      pending.set(op.process, p);
      pairs.push(p);
    } else {
      const p = pending.get(op.process);
      if (p) {
        p.done = op;
        pending.delete(op.process);
      }
    }
  }
  const last = ops.length ? ops[ops.length - 1] : undefined;
  let endX = 0;
  // Our runs start at 0; an imported Jepsen history's clock may start anywhere, so the picture starts at its
  // first event (or 0, whichever is later).
  let startX = Infinity;
  for (const op of ops) {
    const x = toX(op);
    if (x !== undefined && x < startX) startX = x;
  }
  startX = Number.isFinite(startX) && startX > 0 && !meta ? startX : 0;
  for (const op of ops) {
    const x = toX(op);
    if (x !== undefined && x > endX) endX = x;
  }
  if (!hasTime && last) endX = last.index;

  // Lanes, ordered by client slot.
  const laneIds = new Map<string, { order: number; id: number }>();
  const laneOfPair = pairs.map((p) => {
    const { lane, order } = laneOf(p.invoke.process as number, concurrency);
    let l = laneIds.get(lane);
    if (!l) {
      l = { order, id: laneIds.size };
      laneIds.set(lane, l);
    }
    return l.id;
  });
  const laneNames = [...laneIds.entries()].sort((a, b) => a[1].order - b[1].order || a[0].localeCompare(b[0]));
  const remap = new Map(laneNames.map(([, l], i) => [l.id, i]));

  const kindOf = (p: Pair): OpKind => (!p.done ? 3 : p.done.type === 'ok' ? 0 : p.done.type === 'fail' ? 1 : 2);
  const must = (p: Pair) => kindOf(p) >= 2 || flaggedSet.has(p.invoke.index) || (p.done !== undefined && flaggedSet.has(p.done.index)) || p.invoke.f === FINAL_READ;
  const mustCount = pairs.reduce((s, p) => s + (must(p) ? 1 : 0), 0);
  const keepOther = sampler(pairs.length - mustCount, Math.max(0, (input.maxDrawn ?? MAX_DRAWN_OPS) - mustCount));

  const fIds = new Map<string, number>();
  const drawn: ReportData['ops'] = { lane: [], start: [], end: [], kind: [], f: [], invoke: [], done: [], text: [] };
  // Rate and latency bins come from every op, drawn or not.
  // A round bin (1, 2 or 5 times a power of ten ms): whole ms for any history longer than PERF_BINS ms, fractions
  // of one for shorter ones, so a history of microseconds still has a curve.
  const binMs = hasTime ? niceStep((endX - startX) / PERF_BINS) : Math.max(1, Math.ceil((endX - startX) / PERF_BINS));
  const nBins = Math.max(1, Math.floor((endX - startX) / binMs) + 1);
  const rate = { ok: new Array<number>(nBins).fill(0), fail: new Array<number>(nBins).fill(0), info: new Array<number>(nBins).fill(0) };
  const lat: number[][] = Array.from({ length: nBins }, () => []);

  pairs.forEach((p, i) => {
    const s = toX(p.invoke) ?? 0;
    const e = p.done ? (toX(p.done) ?? s) : endX;
    const kind = kindOf(p);
    if (p.invoke.f !== FINAL_READ && p.done) {
      const b = Math.max(0, Math.min(nBins - 1, Math.floor((e - startX) / binMs)));
      if (kind === 0) rate.ok[b]++;
      else if (kind === 1) rate.fail[b]++;
      else rate.info[b]++;
      if (kind === 0 && hasTime) lat[b].push(e - s);
    }
    const keep = must(p) || keepOther();
    if (!keep) return;
    let f = fIds.get(p.invoke.f);
    if (f === undefined) {
      f = fIds.size;
      fIds.set(p.invoke.f, f);
    }
    drawn.lane.push(remap.get(laneOfPair[i])!);
    drawn.start.push(s);
    drawn.end.push(Math.max(s, e));
    drawn.kind.push(kind);
    drawn.f.push(f);
    drawn.invoke.push(p.invoke.index);
    drawn.done.push(p.done ? p.done.index : -1);
    const node = p.done?.node ?? p.invoke.node;
    const value = p.done && p.done.type === 'ok' ? p.done.value : p.invoke.value;
    drawn.text.push([clipText(p.invoke.key), clipText(value), node === undefined ? '' : clipText(node, 40), p.done?.error === undefined ? '' : clipText(p.done.error)]);
  });

  const perSec = hasTime ? 1000 / binMs : 1;
  const roundSeconds = roundTo(timeDecimals(0, binMs) + 3);
  const perf: ReportData['perf'] = { binMs, t: [], ok: [], fail: [], info: [], p50: [], p95: [], p99: [] };
  for (let b = 0; b < nBins; b++) {
    perf.t.push(hasTime ? roundSeconds((startX + b * binMs) / 1000) : startX + b * binMs);
    perf.ok.push(round2(rate.ok[b] * perSec));
    perf.fail.push(round2(rate.fail[b] * perSec));
    perf.info.push(round2(rate.info[b] * perSec));
    const sorted = lat[b].sort((x, y) => x - y);
    const q = (x: number) => {
      const v = quantile(sorted, x);
      return v === null ? null : Math.max(MIN_LATENCY_MS, roundLatency(v));
    };
    perf.p50.push(q(0.5));
    perf.p95.push(q(0.95));
    perf.p99.push(q(0.99));
  }

  // Final reads: the last round each node answered. A set is shown by what it lacks against the union of
  // every node's read of that key (the whole sets are in the history), a register by its value.
  const finalsByNode = new Map<string, { round: number; rows: { key: string; raw: unknown; failed?: string }[] }>();
  for (const p of pairs) {
    if (p.invoke.f !== FINAL_READ || !p.done) continue;
    const node = String(p.done.node ?? p.invoke.node ?? '?');
    const round = typeof p.invoke.round === 'number' ? p.invoke.round : 0;
    const cur = finalsByNode.get(node);
    const failed = p.done.type === 'ok' ? undefined : `(${p.done.type}${p.done.error !== undefined ? ': ' + clipText(p.done.error, 80) : ''})`;
    const row = { key: clipText(p.invoke.key), raw: p.done.value, failed };
    if (!cur || round > cur.round) finalsByNode.set(node, { round, rows: [row] });
    else if (round === cur.round) cur.rows.push(row);
  }
  const union = new Map<string, Set<string>>();
  for (const f of finalsByNode.values()) {
    for (const r of f.rows) {
      if (r.failed || !Array.isArray(r.raw)) continue;
      const u = union.get(r.key) ?? new Set<string>();
      for (const x of r.raw) u.add(JSON.stringify(x));
      union.set(r.key, u);
    }
  }
  const shown = (r: { key: string; raw: unknown; failed?: string }): string => {
    if (r.failed) return r.failed;
    const u = union.get(r.key);
    if (!u || !Array.isArray(r.raw)) return clipText(r.raw, 200);
    const have = new Set(r.raw.map((x) => JSON.stringify(x)));
    const lacks = [...u].filter((x) => !have.has(x));
    return lacks.length === 0 ? `all ${u.size} elements` : `${have.size} of ${u.size}; lacks ${clipText(lacks.slice(0, 12).join(', '), 120)}${lacks.length > 12 ? ` … (${lacks.length} in all)` : ''}`;
  };
  const finals = [...finalsByNode.entries()]
    .sort((a, b) => a[0].localeCompare(b[0], undefined, { numeric: true }))
    .flatMap(([node, f]) => f.rows.map((r) => ({ node, key: r.key, value: shown(r), ok: !r.failed })));

  const title = meta ? `${meta.test} ${meta.id}` : input.source;
  const faults = faultBands(ops, meta, toX, endX);
  return {
    title,
    generatedAt: new Date().toISOString(),
    source: input.source,
    warnings: input.warnings ?? [],
    run: meta
      ? {
          test: meta.test,
          id: meta.id,
          status: meta.status,
          error: meta.error,
          startedAt: meta.startedAt,
          finishedAt: meta.finishedAt,
          seed: meta.seed,
          config: meta.config as Record<string, unknown>,
          versions: meta.versions,
          rerun: rerunCommand(meta.config),
        }
      : null,
    verdict: results ? results.valid : null,
    cap: typeof results?.summary.cap === 'string' ? results.summary.cap : null,
    summary: results ? (results.summary as Record<string, unknown>) : null,
    checkers,
    clock,
    span: [startX, Math.max(startX + 1, endX)],
    lanes: laneNames.map(([name]) => name),
    fNames: [...fIds.keys()],
    finalReadF: FINAL_READ,
    ops: drawn,
    sampled: { total: pairs.length, drawn: drawn.lane.length },
    faults,
    faultRows: faultRowOrder(faults),
    perf,
    finals,
    flagged,
    topology: topologyData(ops, meta),
  };
}
