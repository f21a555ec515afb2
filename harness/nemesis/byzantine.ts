/**
 * The Byzantine faults as one package: who the traitors are, how a fault window is planned, how it is made
 * and undone on a runtime, and what its history op says. A run has one set of at most f traitors, chosen
 * from the seed before it starts (a node that lied once is not trusted again, as in the Byzantine model);
 * every window makes all of them lie in one way.
 */
import { BYZANTINE_KINDS, UnsupportedFault, type ByzantineKind, type ByzantineSpec, type NodeId, type Runtime } from '../runtime.js';
import { rngFor } from '../rng.js';

export { BYZANTINE_KINDS, type ByzantineKind };

/** The probability that a traitor tampers with any one of its messages while a window is open. */
export const BYZANTINE_RATE = 0.5;

export function isByzantineKind(k: string): k is ByzantineKind {
  return (BYZANTINE_KINDS as readonly string[]).includes(k);
}

/** The most traitors a cluster of n can have while a BFT protocol still promises safety: n >= 3f + 1. */
export function defaultTraitors(n: number): number {
  return Math.max(1, Math.floor((n - 1) / 3));
}

/** The run's traitors: `f` of the nodes, from the seed's own stream (so other choices do not shift). */
export function pickTraitors(seed: string, nodes: readonly NodeId[], f: number): NodeId[] {
  if (!Number.isInteger(f) || f < 1) throw new RangeError(`the number of traitors must be a whole number of at least 1, got ${f}`);
  if (f >= nodes.length) throw new RangeError(`${f} traitors of ${nodes.length} nodes would leave no honest node`);
  return rngFor(seed, 'traitors').shuffle(nodes).slice(0, f).sort();
}

export interface ByzantineFault {
  kind: ByzantineKind;
  spec: ByzantineSpec;
}

export function planByzantine(kind: ByzantineKind, traitors: NodeId[], window: number, clients: boolean): ByzantineFault {
  return { kind, spec: { kind, traitors, rate: BYZANTINE_RATE, stream: `w${window}`, ...(clients ? { clients } : {}) } };
}

export async function applyByzantine(rt: Runtime, f: ByzantineFault): Promise<void> {
  if (!rt.byzantine) throw new UnsupportedFault(`${f.kind} faults need the sim runtime, which sees every message`);
  await rt.byzantine(f.spec);
}

/** Stop the lies; returns what the window did to messages, for the stop op's value. */
export async function undoByzantine(rt: Runtime): Promise<Record<string, unknown> | undefined> {
  if (!rt.byzantine) return undefined;
  const stats = (rt as { byzantineStats?: () => unknown }).byzantineStats?.();
  await rt.byzantine(null);
  return stats === undefined ? undefined : { messages: stats };
}

export function byzantineValue(f: ByzantineFault): Record<string, unknown> {
  return { traitors: f.spec.traitors, nodes: f.spec.traitors, rate: f.spec.rate, ...(f.spec.clients ? { clients: true } : {}) };
}
