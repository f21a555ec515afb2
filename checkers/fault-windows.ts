/**
 * The nemesis' side of a history: its events, the fault windows they open and close (with the partition in
 * force), the nodes a history mentions, which side of a partition a node is on, and the final heal.
 */
import { canon } from '../histories/canon.js';
import { HEAL } from '../histories/conventions.js';
import { InputError } from '../histories/errors.js';
import { BareGrudgeSchema, effectOf, NodesValueSchema, PartitionValueSchema } from '../histories/nemesis-value.js';
import { NEMESIS, type Op } from '../histories/op.js';
import { lineOf } from './op-records.js';

export interface PartitionInfo {
  shape?: string;
  grudge?: Record<string, string[]>;
  components?: string[][];
}

export interface FaultWindow {
  /** `partition`, `kill`, `pause`, `latency`, … (the `f` without `start-`). */
  kind: string;
  start: Op;
  startPos: number;
  /** Position of the stop (or heal) event; Infinity if the history ends with the fault active. */
  endPos: number;
  startTime?: number;
  endTime?: number;
  value: unknown;
  /** What the window did (histories/nemesis-value.ts FAULT_EFFECTS), as its fault declared; undefined if unknown. */
  effect?: string;
  /** Nodes a node-targeted fault (kill, pause, …) applies to. */
  nodes?: string[];
  partition?: PartitionInfo;
}

function parsePartition(op: Op): PartitionInfo {
  const v = op.value;
  const full = PartitionValueSchema.safeParse(v);
  if (full.success && (full.data.grudge || full.data.components)) {
    return { shape: full.data.shape, grudge: full.data.grudge, components: full.data.components };
  }
  const bare = BareGrudgeSchema.safeParse(v);
  if (bare.success && Object.keys(bare.data).length > 0) return { grudge: bare.data };
  throw new InputError(
    `op ${op.index}: ${op.f} value must be {"grudge": {node: [nodes]}, "components": [[nodes]]} (or a bare grudge), got ${canon(v)}`,
    lineOf(op),
  );
}

function parseNodes(op: Op): string[] | undefined {
  const r = NodesValueSchema.safeParse(op.value);
  return r.success ? r.data.nodes : undefined;
}

function sameNodes(a: string[] | undefined, b: string[] | undefined): boolean {
  if (!a || !b) return false;
  return a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');
}

/** The nemesis' own events (`info` records; Jepsen-style nemesis invokes are skipped). */
export function nemesisEvents(ops: readonly Op[]): { op: Op; pos: number }[] {
  const out: { op: Op; pos: number }[] = [];
  ops.forEach((op, pos) => {
    if (op.process === NEMESIS && op.type !== 'invoke') out.push({ op, pos });
  });
  return out;
}

/**
 * Fault windows from start-/stop- events (a start carrying an `error` was never applied). A new partition replaces the one in force (as `Runtime.partition`
 * does); a stop closes the open window of its kind naming the same nodes, else the oldest one of its kind;
 * `heal` closes everything.
 */
export function faultWindows(ops: readonly Op[]): FaultWindow[] {
  const all: FaultWindow[] = [];
  const open: FaultWindow[] = [];
  const close = (w: FaultWindow, pos: number, time: number | undefined): void => {
    w.endPos = pos;
    w.endTime = time;
    open.splice(open.indexOf(w), 1);
  };
  for (const { op, pos } of nemesisEvents(ops)) {
    if (op.f === HEAL) {
      for (const w of [...open]) close(w, pos, op.time);
      continue;
    }
    if (op.f.startsWith('start-')) {
      // The nemesis records a start it could not carry out with an `error`: no fault was in force.
      if (op.error !== undefined && op.error !== null) continue;
      const kind = op.f.slice('start-'.length);
      const w: FaultWindow = { kind, start: op, startPos: pos, endPos: Infinity, startTime: op.time, value: op.value, effect: effectOf(kind, op.value) };
      if (kind === 'partition') {
        w.partition = parsePartition(op);
        for (const o of open.filter((x) => x.kind === 'partition')) close(o, pos, op.time);
      } else {
        w.nodes = parseNodes(op);
      }
      open.push(w);
      all.push(w);
    } else if (op.f.startsWith('stop-')) {
      const kind = op.f.slice('stop-'.length);
      const candidates = open.filter((x) => x.kind === kind);
      if (candidates.length === 0) continue;
      const nodes = parseNodes(op);
      const match = candidates.find((x) => sameNodes(x.nodes, nodes)) ?? candidates[0];
      close(match, pos, op.time);
    }
  }
  return all;
}

/** Windows in force at an event position (started before it, not yet stopped). */
export function activeAt(windows: readonly FaultWindow[], pos: number): FaultWindow[] {
  return windows.filter((w) => w.startPos < pos && pos < w.endPos);
}

/** Every node name a history mentions (contacted nodes, final reads, fault values), sorted. */
export function nodesOf(ops: readonly Op[], windows: readonly FaultWindow[]): string[] {
  const s = new Set<string>();
  for (const op of ops) if (op.node) s.add(op.node);
  for (const w of windows) {
    for (const n of w.nodes ?? []) s.add(n);
    for (const [n, ns] of Object.entries(w.partition?.grudge ?? {})) {
      s.add(n);
      ns.forEach((x) => s.add(x));
    }
    for (const c of w.partition?.components ?? []) c.forEach((x) => s.add(x));
  }
  return [...s].sort();
}

export type Side = 'majority' | 'minority' | 'unknown';

/**
 * Which side of a partition a node is on. With components: the node's component (the largest, if it sits
 * in several, as in a bridge) is a majority when it holds more than half of the cluster. Without them
 * (one-way shapes): the node is on the majority side when it exchanges messages in both directions with
 * more than half of the cluster, itself included.
 */
export function sideOf(p: PartitionInfo, node: string | undefined, allNodes: readonly string[]): Side {
  if (node === undefined) return 'unknown';
  if (p.components && p.components.length > 0) {
    const size = Math.max(allNodes.length, new Set(p.components.flat()).size);
    const mine = p.components.filter((c) => c.includes(node));
    if (mine.length === 0) return 'unknown';
    const biggest = Math.max(...mine.map((c) => new Set(c).size));
    return biggest * 2 > size ? 'majority' : 'minority';
  }
  const grudge = p.grudge ?? {};
  if (!allNodes.includes(node)) return 'unknown';
  let reach = 0;
  for (const m of allNodes) {
    if (m === node) reach++;
    else if (!(grudge[node] ?? []).includes(m) && !(grudge[m] ?? []).includes(node)) reach++;
  }
  return reach * 2 > allNodes.length ? 'majority' : 'minority';
}

/** The `heal` event that ends the main phase (the last one, if the harness logged several). */
export function healEvent(ops: readonly Op[]): Op | undefined {
  const heals = nemesisEvents(ops).filter((e) => e.op.f === HEAL);
  return heals.at(-1)?.op;
}
