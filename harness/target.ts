/**
 * What the controller needs from a target system: start a cluster on some runtime, tell when it is
 * healthy, open clients, and read each node's own state for the convergence checkers.
 */
import type { Logger } from 'pino';
import type { Key } from '../histories/op.js';
import type { NodeId, Runtime } from './runtime.js';
import type { RunConfig, TOPOLOGIES, WORKLOADS } from '../histories/run-record.js';
import type { FaultName } from './faults/index.js';
import type { Role, Roles } from './faults/fault.js';

export type RuntimeKind = Runtime['kind'];
export type WorkloadName = (typeof WORKLOADS)[number];

/** What a run is held to: the workload's own contract where the target names one, else the configuration's. */
export function promiseOf(target: Pick<Target, 'promises' | 'workloadPromises'>, config: string, workload: WorkloadName): 'CP' | 'AP' {
  return target.workloadPromises?.[workload] ?? target.promises[config] ?? 'CP';
}

/** One client operation as the generator asks for it. */
export interface ClientOp {
  f: string;
  key?: Key;
  value?: unknown;
}

/** How an operation ended: `info` whenever the outcome is unknown (timeout, crash, connection lost mid-op). */
export interface ClientResult {
  type: 'ok' | 'fail' | 'info';
  /** What an ok op observed (a read's value, a generated id, an echo); left out by ops that only ask (writes). */
  value?: unknown;
  error?: unknown;
}

export interface Client {
  /** Perform one op; settles within about `timeoutMs`, and reports outcomes rather than throwing them. */
  invoke(op: ClientOp, timeoutMs: number): Promise<ClientResult>;
  close(): Promise<void>;
}

export interface FinalRead {
  ok: boolean;
  /** The node's own value for the key: a register value, an array for a set, null when absent. */
  value: unknown;
  error?: string;
  /**
   * A log's read that failed, where the node could still say what its own copy holds (its first and last
   * offset, and how many messages): recorded on the read, for the log-replicas checker to judge its extent.
   */
  replica?: { first: number; last: number; count: number };
}

/** A node's committed log as ids per height (see Cluster.replicaLog). */
export interface ReplicaLog {
  from: number;
  ids: string[];
}

export interface TargetContext {
  runId: string;
  nodes: NodeId[];
  config: string;
  bug?: string;
  workload: WorkloadName;
  /** Per-run folders: node data and node logs live under these. */
  dataDir: string;
  logDir: string;
  seed: string;
  logger: Logger;
  runtime: RuntimeKind;
  /** How many keys (registers, sets, logs) the workload spreads over, for clients that follow them all. */
  keys?: number;
  /** Latency of every link all run long, in ms (sim). */
  latencyMs?: number;
  /** The broadcast workload's topology (Maelstrom's --topology); default: every other node. */
  topology?: (typeof TOPOLOGIES)[number];
  /** Copy node stderr to the harness's stderr too. */
  logStderr?: boolean;
  /** Cap on each node log file, in bytes. */
  nodeLogMax?: number;
  /** The faults the nemesis may inject, so a runtime sets up only what they need (node-link latency proxies). */
  faults?: readonly FaultName[];
  /** For targets run from a user's binary (maelstrom) or image (docker). */
  bin?: string;
  image?: string;
  /** The ssh runtime's hosts file (--hosts). */
  hosts?: string;
  /** Transaction isolation, for targets that name levels in `isolationLevels`. */
  isolation?: string;
}

export interface Cluster {
  readonly runtime: Runtime;
  /** Resolve once every node serves requests; throw an Error naming the node that never became healthy. */
  awaitHealthy(timeoutMs: number): Promise<void>;
  /** A client bound to one node. `process` is the history process id, for logs. */
  openClient(node: NodeId, process: number): Promise<Client>;
  /** Read one node's own state for `key` with no coordination (what that node alone believes). */
  finalRead(node: NodeId, key: Key, timeoutMs: number): Promise<FinalRead>;
  /**
   * What one node committed, height by height, for targets built on consensus over a log (the built-in bft):
   * the batch id at heights from, from+1, ... Absent for targets that do not expose their log.
   */
  replicaLog?(node: NodeId, timeoutMs: number): Promise<ReplicaLog>;
  /**
   * Which node holds each role now (the primary that takes writes), for faults aimed at a role
   * (`--nemesis partition-primary`). Present when the target lists the roles in `Target.roles`.
   */
  roles?(timeoutMs: number): Promise<Roles>;
  /** Versions of the target software, for run.json. */
  versions(): Promise<Record<string, string>>;
}

export interface Target {
  name: string;
  configs: readonly string[];
  defaultConfig: string;
  /**
   * What each config promises: CP configs are held to linearizability (a non-linearizable history fails the
   * run); AP configs are held to convergence, and their linearizability verdict is reported, not enforced.
   */
  promises: Readonly<Record<string, 'CP' | 'AP'>>;
  /** Workloads whose own contract overrides the config's promise (a Maelstrom g-set node is a CRDT, not CP). */
  workloadPromises?: Readonly<Partial<Record<WorkloadName, 'CP' | 'AP'>>>;
  /**
   * CP configs whose replicas also promise to end in one state once faults heal, so their final reads are
   * held to convergence: a BFT store whose honest replicas diverge has broken its promise even when every
   * client answer happens to fit a linearization.
   */
  agreeing?: readonly string[];
  bugs: readonly string[];
  /** Transaction isolation levels the target can run at (`--isolation`), the first its default; absent = none. */
  isolationLevels?: readonly string[];
  workloads: readonly WorkloadName[];
  runtimes: readonly RuntimeKind[];
  defaultRuntime: RuntimeKind;
  /**
   * Faults this target cannot take although its runtime can make them, each with the reason (etcd's static Go
   * binary ignores libfaketime, so no clock). Every other fault its runtime supports is allowed.
   */
  faultLimits?: Readonly<Partial<Record<FaultName, string>>>;
  /** Roles its clusters can name at fault time (Cluster.roles), so faults can be aimed at them. */
  roles?: readonly Role[];
  /** Refuse a run this target cannot make (a --bin that is no program), before any run folder exists. */
  checkConfig?(config: RunConfig): void;
  /** Build (not start) a cluster; the controller calls runtime.start(), then awaitHealthy(). */
  create(ctx: TargetContext): Promise<Cluster>;
}
