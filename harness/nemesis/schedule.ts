/**
 * The fault schedule, planned in full from the seed before the run starts: which fault, on which nodes, in
 * which shape, at what offset. The plan goes into run.json; the history records what was actually done.
 *
 * The rhythm is Jepsen's: a fault starts, holds for about one interval, stops, and the cluster gets about one
 * interval of calm before the next fault. Intervals vary by ±50% so faults don't line up with timeouts.
 */
import type { FaultKind } from '../target.js';
import type { LinkFaults, NodeId } from '../runtime.js';
import { rngFor } from '../rng.js';
import { makePartition, partitionShapesFor, type Partition } from './partitions.js';
import { byzantineValue, defaultTraitors, isByzantineKind, pickTraitors, planByzantine, type ByzantineFault } from './byzantine.js';

export type FaultSpec =
  | { kind: 'partition'; partition: Partition }
  | { kind: 'kill'; nodes: NodeId[] }
  | { kind: 'pause'; nodes: NodeId[] }
  | { kind: 'latency'; link: LinkFaults }
  | { kind: 'loss'; link: LinkFaults }
  | { kind: 'clock'; offsets: Record<NodeId, number> }
  | ByzantineFault;

export interface PlannedFault {
  /** Seconds after the main phase begins. */
  startAt: number;
  stopAt: number;
  fault: FaultSpec;
}

export interface ScheduleOptions {
  seed: string;
  nodes: readonly NodeId[];
  faults: readonly FaultKind[];
  /** Mean seconds per fault and per calm period. */
  interval: number;
  /** Seconds of main phase: no fault starts after this, and every fault stops by it. */
  timeLimit: number;
  /** Byzantine faults: how many traitors (default: the most a BFT cluster of this size tolerates). */
  traitors?: number;
  /** Byzantine faults: traitors lie to clients too. */
  byzantineClients?: boolean;
}

function minorityNodes(nodes: readonly NodeId[], rng: ReturnType<typeof rngFor>): NodeId[] {
  const most = Math.max(1, Math.floor((nodes.length - 1) / 2));
  return rng.shuffle(nodes).slice(0, rng.int(1, most)).sort();
}

export function planFaults(o: ScheduleOptions): PlannedFault[] {
  if (o.faults.length === 0) return [];
  const shapes = partitionShapesFor(o.nodes.length);
  if (o.faults.includes('partition') && shapes.length === 0) {
    throw new RangeError(`a partition needs at least 2 nodes; this cluster has ${o.nodes.length}`);
  }
  const rng = rngFor(o.seed, 'nemesis');
  const traitors = o.faults.some(isByzantineKind) ? pickTraitors(o.seed, o.nodes, o.traitors ?? defaultTraitors(o.nodes.length)) : [];
  const out: PlannedFault[] = [];
  const jitter = () => o.interval * (0.5 + rng.next());
  let t = jitter();
  // Bounded both by time and by count, whatever the interval.
  while (t < o.timeLimit && out.length < 10_000) {
    const kind = rng.pick(o.faults);
    let fault: FaultSpec;
    switch (kind) {
      case 'partition':
        fault = { kind, partition: makePartition(rng.pick(shapes), o.nodes, rng) };
        break;
      case 'kill':
      case 'pause':
        fault = { kind, nodes: minorityNodes(o.nodes, rng) };
        break;
      case 'latency':
        fault = { kind, link: { latencyMs: rng.int(20, 200), jitterMs: rng.int(0, 50) } };
        break;
      case 'loss':
        fault = { kind, link: { loss: Math.round(rng.int(5, 40)) / 100 } };
        break;
      case 'clock': {
        const offsets: Record<NodeId, number> = {};
        for (const n of minorityNodes(o.nodes, rng)) offsets[n] = rng.int(-5000, 5000);
        fault = { kind, offsets };
        break;
      }
      default:
        fault = planByzantine(kind, traitors, out.length, o.byzantineClients === true);
    }
    const stopAt = Math.min(o.timeLimit, t + jitter());
    out.push({ startAt: round(t), stopAt: round(stopAt), fault });
    t = stopAt + jitter();
  }
  return out;
}

const round = (s: number) => Math.round(s * 1000) / 1000;

/** What a fault's history op carries as its value. */
export function faultValue(f: FaultSpec): Record<string, unknown> {
  switch (f.kind) {
    case 'partition':
      return { shape: f.partition.shape, grudge: f.partition.grudge, ...(f.partition.components ? { components: f.partition.components } : {}) };
    case 'kill':
    case 'pause':
      return { nodes: f.nodes };
    case 'latency':
    case 'loss':
      return { ...f.link };
    case 'clock':
      return { offsets: f.offsets, nodes: Object.keys(f.offsets) };
    default:
      return byzantineValue(f);
  }
}
