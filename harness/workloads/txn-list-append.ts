/**
 * Maelstrom's txn-list-append: transactions of reads and appends of unique integers to lists on a few keys
 * (keys retire after a few dozen appends), judged by the Elle-style list-append checker (checkers/txn)
 * against the run's consistency models (`--consistency-models`, default strict-serializable).
 */
import { txnChecker } from '../../checkers/txn/index.js';
import type { Workload } from './workload.js';
import { TxnGenerator, txnFormat } from './txn-ops.js';

export const txnListAppend: Workload = {
  name: 'txn-list-append',
  keyless: false,
  // The checker infers everything from the transactions' own reads; there is no final state to compare.
  finalState: false,
  generator: (slot, o, rng) => new TxnGenerator(rng, slot, o, 'append'),
  // The run's models decide (CheckContext.consistencyModels), whatever the promise: a totally-available
  // store is held to what its user says it offers (read-uncommitted, say), as in Maelstrom.
  checkers: () => [{ checker: txnChecker('list-append'), enforced: true }],
  linearModel: { none: 'transactions are judged by the list-append checker (faultline check --checker list-append)' },
  maelstrom: txnFormat,
};
