/**
 * What a workload is, as one value: what clients do, how a run of it is judged, and how its ops are spelled
 * on Maelstrom's wire. Every workload is one file in this folder, registered in index.ts, whose table is a
 * `Record<WorkloadName, Workload>`: TypeScript refuses a name in `WORKLOADS` (histories/run-record.ts, which
 * the store validates) that has no file here.
 *
 * How to add a workload (Maelstrom's kafka, an Elle list-append, ...):
 * 1. Add its name to `WORKLOADS` in histories/run-record.ts.
 * 2. Write `harness/workloads/<name>.ts` exporting a `Workload`: its generator (one per client slot, from
 *    the slot's seeded stream), the checkers it needs with which ones the promise enforces, and, if
 *    Maelstrom nodes can run it, its message format. Put its checker in `checkers/` as a `Checker` value
 *    (checkers/checker.ts).
 * 3. Add one line to the table in index.ts, and the name to the `workloads` of each target that runs it.
 * The run's check phase, `faultline check RUN`, the CLI's keyless handling and the Maelstrom target all read
 * the table; none of them switches on workload names.
 */
import type { ComposedPart } from '../../checkers/checker.js';
import type { Rng } from '../rng.js';
import type { Generator, GeneratorOptions } from '../generator.js';
import type { Key } from '../../histories/op.js';
import type { Client, ClientOp, FinalRead, WorkloadName } from '../target.js';

/** The slice of the sim runtime a Maelstrom client needs. */
export interface Requester {
  request(node: string, body: Record<string, unknown>, timeoutMs: number): Promise<Record<string, unknown>>;
}

/** How a Maelstrom node speaks a workload: the message for each op and the reply that answers it. */
export interface MaelstromFormat {
  /** The request body for a client op; throws for an op the format has no message for. */
  request(op: ClientOp): Record<string, unknown>;
  /** The reply `type` that answers `op` ok (`read_ok`, `broadcast_ok`, ...). */
  okType(op: ClientOp): string;
  /** What an ok reply observed (a read's value, a generated id, an echo); undefined for ops that only ask. */
  okValue(op: ClientOp, reply: Record<string, unknown>): unknown;
  /** What a client read of a key the node does not have (Maelstrom error 20) returns. */
  missingRead: unknown;
  /** What a node's final read returns when it holds nothing yet. */
  emptyState: unknown;
  /** Whether a final read names no key (one piece of state per cluster). */
  keylessRead: boolean;
  /** A request every node answers once it serves, and the reply that says so. */
  probe: { body: Record<string, unknown>; healthy: (reply: Record<string, unknown>) => boolean };
  /** Whether nodes must be told the topology (broadcast) before the load starts. */
  topology?: boolean;
  /**
   * For protocols where a client keeps state between ops (kafka's consumer position): the client itself,
   * used instead of one request per op. `keys` is how many keys the run spreads over.
   */
  client?: (net: Requester, node: string, keys: number) => Client;
  /** A final read that takes more than one request (kafka polls a whole log); used instead of `read`. */
  finalRead?: (net: Requester, node: string, key: Key, timeoutMs: number) => Promise<FinalRead>;
}

export interface Workload {
  name: WorkloadName;
  /** One piece of state and no keys: the run uses a single key, whatever --keys says. */
  keyless: boolean;
  /** Whether nodes keep state to read back after the heal (final reads and convergence). */
  finalState: boolean;
  /**
   * Ops per second when `--rate` is not given (and the target has no default of its own): absent means no
   * limit. Set-like workloads read whole sets, so their history grows with the square of the ops.
   */
  defaultRate?: number;
  /** One generator per client slot; `rng` is the slot's own seeded stream. */
  generator(slot: number, o: GeneratorOptions, rng: Rng): Generator;
  /**
   * The checkers a run of this workload needs, and which of them the promise enforces (the others report).
   * Availability is added by the check phase for every workload. `agreement`: the target's replicas also
   * promise to end in one state under CP (Target.agreeing), so convergence is enforced too.
   */
  checkers(promise: 'CP' | 'AP', o?: { agreement?: boolean }): ComposedPart[];
  /**
   * The linearizability model `faultline check RUN --model` style checks fall back to for a stored run of this
   * workload, or why there is none. A stored run is re-checked with `checkers` above; this is only for
   * imported histories and `--model`.
   */
  linearModel: { model: string } | { none: string };
  /** Its Maelstrom message format; absent when no Maelstrom node runs it. */
  maelstrom?: MaelstromFormat;
}
