/**
 * What a data-model inference (list-append, rw-register) hands the cycle search: the dependency graph over
 * transactions, the anomalies it found without cycles, and a way to say in words why one transaction
 * precedes another through the data.
 */
import type { DepGraph } from './graph.js';

export interface TxnAnomaly {
  /** The anomaly class, e.g. `G1a`, `internal`, `lost-update`. */
  type: string;
  message: string;
  /** History indices of the invocations involved. */
  ops: number[];
  key?: unknown;
}

export interface Inference {
  graph: DepGraph;
  anomalies: TxnAnomaly[];
  stats: Record<string, number>;
  /** Why `a` precedes `b` by a ww, wr or rw dependency, naming transactions through `name`. */
  explain(a: number, b: number, rel: 'ww' | 'wr' | 'rw', name: (id: number) => string): string | undefined;
}
