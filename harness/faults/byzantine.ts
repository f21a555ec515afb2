/**
 * The Byzantine faults as one package (four faults, one per way of lying: corrupt, replay, equivocate,
 * forge): who the traitors are, how a fault window is planned, how it is made and undone on a runtime, and
 * what its history op says. A run has one set of at most f traitors, chosen from the seed before it starts
 * (a node that lied once is not trusted again, as in the Byzantine model); every window makes all of them
 * lie in one way. Only a runtime that routes every message can make them (sim).
 */
import { z } from 'zod';
import { NodeListSchema } from '../../histories/nemesis-value.js';
import { BYZANTINE_KINDS, UnsupportedFault, type ByzantineKind, type ByzantineSpec, type NodeId, type Runtime } from '../runtime.js';
import { rngFor } from '../rng.js';
import type { Fault } from './fault.js';

export { BYZANTINE_KINDS, type ByzantineKind };

/**
 * How much more often than the other lies the schedule picks equivocation when they are mixed (`--nemesis
 * byzantine`): two windows in three. Equivocation is the lie that splits honest nodes into two quorums, which
 * is what a quorum too small fails to survive; with the four equally likely, a default run (30 s, windows of
 * about 5 s) often had one equivocating window or none. An equivocating traitor also lies in every message to
 * the half it deceives (rate 1, below), not in half of them. bft's small-quorum bug at default settings, seeds
 * 1-10: caught in 5 before, 6 with this weight alone, 8 with weight 12 alone, 9 with weight 6 and rate 1.
 */
export const EQUIVOCATE_WEIGHT = 6;

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

async function applyByzantine(rt: Runtime, spec: ByzantineSpec): Promise<void> {
  if (!rt.byzantine) throw new UnsupportedFault(`${spec.kind} faults need the sim runtime, which sees every message`);
  await rt.byzantine(spec);
}

/** Stop the lies; returns what the window did to messages, for the stop op's value. */
async function undoByzantine(rt: Runtime): Promise<Record<string, unknown> | undefined> {
  if (!rt.byzantine) return undefined;
  const stats = (rt as { byzantineStats?: () => unknown }).byzantineStats?.();
  await rt.byzantine(null);
  return stats === undefined ? undefined : { messages: stats };
}

const SUMMARIES: Record<ByzantineKind, string> = {
  corrupt: 'traitors garble fields of the messages they send',
  replay: 'traitors resend old messages of their own',
  equivocate: 'traitors tell different peers different things',
  forge: 'traitors send messages in other nodes\' names',
};

function byzantineFault(kind: ByzantineKind): Fault<ByzantineSpec> {
  return {
    name: kind,
    summary: `${SUMMARIES[kind]} (Byzantine; sim only)`,
    needs: ['byzantine'],
    effect: 'byzantine',
    ...(kind === 'equivocate' ? { weight: EQUIVOCATE_WEIGHT } : {}),
    schema: z.object({
      kind: z.literal(kind),
      traitors: NodeListSchema.min(1),
      rate: z.number().min(0).max(1),
      clients: z.boolean().optional(),
      stream: z.string(),
    }),
    // Chosen once per run from the seed's own stream, so recomputing it per window gives the same set.
    check: ({ seed, nodes, traitors }) => void pickTraitors(seed, nodes, traitors ?? defaultTraitors(nodes.length)),
    plan: ({ seed, nodes, traitors, window, byzantineClients }) => ({
      kind,
      traitors: pickTraitors(seed, nodes, traitors ?? defaultTraitors(nodes.length)),
      // An equivocator deceives its half consistently (each lie seeded by the message, so both hear the same one).
      rate: kind === 'equivocate' ? 1 : BYZANTINE_RATE,
      stream: `w${window}`,
      ...(byzantineClients === true ? { clients: true } : {}),
    }),
    apply: applyByzantine,
    undo: undoByzantine,
    value: (s) => ({ traitors: s.traitors, nodes: s.traitors, rate: s.rate, ...(s.clients ? { clients: true } : {}) }),
  };
}

export const corruptFault = byzantineFault('corrupt');
export const replayFault = byzantineFault('replay');
export const equivocateFault = byzantineFault('equivocate');
export const forgeFault = byzantineFault('forge');
