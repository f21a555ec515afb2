/**
 * A runtime starts and stops the nodes of a target and injects faults into them. The sim runtime routes
 * Maelstrom messages between node processes; netns and docker make the same faults with the kernel.
 */
import { z } from 'zod';
import { InputError } from '../histories/errors.js';
import type { NetCounts } from './sim/net-tally.js';

export type NodeId = string;

/**
 * Jepsen's grudge: for each node, the nodes whose messages it drops. A symmetric partition lists both
 * directions; a one-way partition lists only one.
 */
export type Grudge = Record<NodeId, NodeId[]>;

export const LinkFaultsSchema = z.object({
  /** Added one-way delay per message, in milliseconds. */
  latencyMs: z.number().min(0).max(60_000).optional(),
  /** Uniform jitter added on top, in milliseconds. */
  jitterMs: z.number().min(0).max(60_000).optional(),
  /** Probability in [0, 1] that a message is dropped. */
  loss: z.number().min(0).max(1).optional(),
  /** Probability in [0, 1] that a message is delivered twice (sim only). */
  duplicate: z.number().min(0).max(1).optional(),
});
export type LinkFaults = z.infer<typeof LinkFaultsSchema>;

/** Every runtime takes link faults through here, so each refuses the same bad values the same way. */
export function parseLinkFaults(f: unknown): LinkFaults {
  const r = LinkFaultsSchema.safeParse(f);
  if (!r.success) {
    throw new InputError(`bad link faults ${JSON.stringify(f)}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return r.data;
}

/** Byzantine faults: what a traitor does to the messages it sends to other nodes (sim only). */
export const BYZANTINE_KINDS = ['corrupt', 'replay', 'equivocate', 'forge'] as const;
export type ByzantineKind = (typeof BYZANTINE_KINDS)[number];

export interface ByzantineSpec {
  kind: ByzantineKind;
  /** The nodes that lie; every other node is honest. */
  traitors: NodeId[];
  /** Probability in [0, 1] that a traitor's message is tampered with. */
  rate: number;
  /** Tamper with the traitors' replies to clients too (default: node-to-node traffic only). */
  clients?: boolean;
  /** Names the seeded stream of this fault window, so each window lies differently but reproducibly. */
  stream: string;
}

/** How the file fault damages a stopped node's newest data file: cut it, or flip bytes, at `at` (0-1) of its length. */
export interface FileDamage {
  mode: 'truncate' | 'corrupt';
  at: number;
}

/** Thrown when a runtime or target cannot make a fault; the nemesis records it and moves on. */
export class UnsupportedFault extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedFault';
  }
}

/**
 * What a runtime can do to its nodes. A fault package names the capabilities it needs (harness/faults/), and
 * a runtime declares the ones it has, so a run is refused up front when its runtime cannot make a fault.
 */
export const CAPABILITIES = ['partition', 'kill', 'pause', 'loss', 'latency', 'clock', 'byzantine', 'files'] as const;
export type Capability = (typeof CAPABILITIES)[number];

export interface Runtime {
  readonly kind: 'sim' | 'netns' | 'docker' | 'ssh';
  readonly nodes: readonly NodeId[];
  /** The capabilities this runtime has (a target can still refuse some: Target.faultLimits). */
  readonly supports: readonly Capability[];
  /** Start every node; resolves once each process is up (not necessarily once the cluster is healthy). */
  start(): Promise<void>;
  /** SIGKILL the node's process. */
  kill(node: NodeId): Promise<void>;
  /** Start a killed node again with the same data. */
  restart(node: NodeId): Promise<void>;
  pause(node: NodeId): Promise<void>;
  resume(node: NodeId): Promise<void>;
  /** Replace the current partition (if any) by this one. */
  partition(grudge: Grudge): Promise<void>;
  /** Undo every partition. */
  heal(): Promise<void>;
  /** Apply link faults to every inter-node link, or remove them with null. */
  setLinkFaults(faults: LinkFaults | null): Promise<void>;
  /** Offset the node's clock by this many milliseconds (0 resets). */
  clockSkew(node: NodeId, offsetMs: number): Promise<void>;
  /**
   * Damage the newest of the data files the target names for this node, which must be killed (the file
   * fault); resolves with what was done. Only runtimes whose node folders are on this machine (netns, docker).
   */
  damageFile?(node: NodeId, damage: FileDamage): Promise<Record<string, unknown>>;
  /** Make the traitors lie, or stop with null. Only a runtime that routes every message can (sim). */
  byzantine?(spec: ByzantineSpec | null): Promise<void>;
  /** Nodes that broke the protocol so badly that the harness cut them off; a run with any is unknown. */
  protocolBreaches?(): string[];
  /** Messages carried so far, by kind of link: only runtimes that route every message themselves (sim). */
  messageCounts?(): NetCounts;
  /** After teardown: a sentence per node log that lost output (capped), for the run's summary. */
  logNotes?(): string[];
  /**
   * After teardown: what could not be undone, one line each naming the host (ssh: a host that stayed
   * unreachable). A run with any exits 255 and says how to clean up.
   */
  leftovers?(): string[];
  /** Stop everything this runtime started; safe to call twice and after a partial start. */
  teardown(): Promise<void>;
}
