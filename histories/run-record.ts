/**
 * What a stored run holds besides its history: run.json (what was asked for and what happened to the
 * cluster) and results.json (what the checkers said). Both are zod-validated on the way in and out, so a
 * hand-edited or truncated file is reported, not half-read.
 */
import { z } from 'zod';

export const RUNTIMES = ['sim', 'netns', 'docker', 'ssh'] as const;
export const WORKLOADS = ['register', 'set', 'lin-kv', 'broadcast', 'g-counter', 'pn-counter', 'unique-ids', 'echo', 'kafka', 'txn-list-append', 'txn-rw-register'] as const;
/** Transaction isolation levels a SQL target runs its statements at (postgres). */
export const ISOLATION_LEVELS = ['read-committed', 'repeatable-read', 'serializable'] as const;
/**
 * What the broadcast workload's `topology` message offers each node: Maelstrom's shapes (grid, line, total,
 * tree2-4) and a ring, a random 3-regular graph, and `tree`/`complete` as other names for tree2/total.
 */
export const TOPOLOGIES = ['grid', 'line', 'total', 'tree2', 'tree3', 'tree4', 'ring', 'tree', 'random-regular', 'complete'] as const;


/** The options of one run, after defaults: enough to run it again. */
export const RunConfigSchema = z.object({
  target: z.string().min(1),
  config: z.string().min(1),
  bug: z.string().optional(),
  bin: z.string().optional(),
  image: z.string().optional(),
  /** Transaction isolation for targets that have levels (postgres); absent = the target's default. */
  isolation: z.enum(ISOLATION_LEVELS).optional(),
  runtime: z.enum(RUNTIMES),
  /** The hosts file of the ssh runtime (absolute path). */
  hosts: z.string().optional(),
  nodes: z.number().int().min(1).max(25),
  workload: z.enum(WORKLOADS),
  keys: z.number().int().min(1).max(100_000),
  concurrency: z.number().int().min(1).max(1024),
  /** Total client ops per second across all clients; absent = as fast as the clients go. */
  rate: z.number().positive().optional(),
  /** Seconds of main phase. */
  timeLimit: z.number().positive(),
  /** Fault names; the harness checks them against its fault table (harness/faults/index.ts). */
  nemesis: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/, 'a fault name')),
  /** How many nodes lie under the Byzantine faults (corrupt, replay, equivocate, forge). */
  traitors: z.number().int().min(1).optional(),
  /** Traitors tamper with their replies to clients too. */
  byzantineClients: z.boolean().optional(),
  /** Mean seconds between fault changes. */
  nemesisInterval: z.number().positive(),
  /** Seconds before a client gives up on an op and records it as `info`. */
  opTimeout: z.number().positive(),
  /** Seconds of fault-free load after the heal. */
  quiescence: z.number().nonnegative(),
  /** Seconds the final reads may take to find the nodes in agreement. */
  convergenceBound: z.number().positive(),
  /** Hard bound on client ops in the main phase (a load loop is bounded in count as well as time). */
  maxOps: z.number().int().positive(),
  seed: z.string().min(1),
  /** Milliseconds of latency on every link all run long (Maelstrom's --latency); sim only. */
  latency: z.number().min(0).max(60_000).optional(),
  /** The neighbours the broadcast workload names in its `topology` message (default: every other node). */
  topology: z.enum(TOPOLOGIES).optional(),
  /** Fail the run when server messages per client op exceed this (sim only). */
  maxMsgsPerOp: z.number().positive().optional(),
  /** Fail the run when the median latency (stable latency for broadcast and set) exceeds this many ms. */
  maxMedianLatency: z.number().positive().optional(),
  /** Fail the run when less than this share of client ops was answered (Maelstrom's --availability; total = 1). */
  availability: z.number().gt(0).max(1).optional(),
  /** Copy the nodes' stderr to the terminal as well as nodes/<node>.log (Maelstrom's --log-stderr). */
  logStderr: z.boolean().optional(),
  /** Cap on each nodes/<node>.log, in bytes (sim; default 16 MiB). */
  nodeLogMax: z.number().int().positive().optional(),
  /** Txn workloads: micro-ops per transaction, at least and at most (default 1 and 4, Maelstrom's). */
  minTxnLength: z.number().int().min(1).max(1000).optional(),
  maxTxnLength: z.number().int().min(1).max(1000).optional(),
  /** Txn workloads: writes each key takes before the generator moves on to fresh keys (default 32, Elle's). */
  maxWritesPerKey: z.number().int().min(1).max(1_000_000).optional(),
  /** Txn workloads: the consistency models the history is held to (Maelstrom's flag; default strict-serializable). */
  consistencyModels: z.array(z.string().min(1)).min(1).optional(),
  /** txn-rw-register on a CP target: the checker may assume each key sequential / linearizable (Elle's options). */
  sequentialKeys: z.boolean().optional(),
  linearizableKeys: z.boolean().optional(),
});
export type RunConfig = z.infer<typeof RunConfigSchema>;

export const FaultEventSchema = z.object({
  /** Seconds since the run began. */
  at: z.number(),
  f: z.string(),
  value: z.unknown().optional(),
});

export const RunMetaSchema = z.object({
  id: z.string(),
  test: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  status: z.enum(['running', 'done', 'failed', 'interrupted']),
  error: z.string().optional(),
  seed: z.string(),
  config: RunConfigSchema,
  versions: z.record(z.string(), z.string()),
  /** The nemesis schedule as planned from the seed (what to do, in order); the history has what happened. */
  faultSchedule: z.array(FaultEventSchema),
});
export type RunMeta = z.infer<typeof RunMetaSchema>;

const ValiditySchema = z.union([z.literal(true), z.literal(false), z.literal('unknown')]);

export const CheckResultSchema = z.looseObject({
  checker: z.string(),
  valid: ValiditySchema,
  anomalies: z.array(z.looseObject({ kind: z.string(), message: z.string() })),
  stats: z.record(z.string(), z.unknown()),
  reason: z.string().optional(),
});

export const RunResultsSchema = z.object({
  valid: ValiditySchema,
  checkers: z.array(CheckResultSchema),
  summary: z.looseObject({
    ops: z.number().int().nonnegative(),
    clientOps: z.number().int().nonnegative(),
    faults: z.number().int().nonnegative(),
    durationS: z.number().nonnegative(),
    opsPerSec: z.number().nonnegative(),
    cap: z.string().optional(),
  }),
});
export type RunResults = z.infer<typeof RunResultsSchema>;
