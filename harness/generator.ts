/**
 * The generator contract: each client slot draws its own op sequence from its own seeded stream, so a seed
 * fixes every slot's sequence of (f, key, written value) however the slots interleave in time. Each
 * workload's generator lives in its file under harness/workloads/; `makeGenerator` is in workloads/index.ts.
 */
import type { ClientOp, WorkloadName } from './target.js';

export interface Generator {
  /** The next op for this slot. */
  next(): ClientOp;
  /** Tell the generator what the op returned, so a later cas can expect a value that really was there. */
  observe(op: ClientOp, type: 'ok' | 'fail' | 'info', value: unknown): void;
}

export interface GeneratorOptions {
  workload: WorkloadName;
  keys: number;
  slots: number;
  seed: string;
  /** Txn workloads: micro-ops per transaction (defaults 1 and 4) and writes per key before it retires (32). */
  minTxnLength?: number;
  maxTxnLength?: number;
  maxWritesPerKey?: number;
}
