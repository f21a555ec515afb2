/**
 * Maelstrom's txn-rw-register: transactions of reads and writes of unique integers to registers on a few
 * keys, judged by the Elle-style rw-register checker (checkers/txn) against the run's consistency models
 * (`--consistency-models`, default strict-serializable). Registers reveal less than lists, so this
 * workload finds fewer anomalies than txn-list-append for the same system, as with Elle.
 */
import { txnChecker } from '../../checkers/txn/index.js';
import type { Workload } from './workload.js';
import { TxnGenerator, txnFormat } from './txn-ops.js';

export const txnRwRegister: Workload = {
  name: 'txn-rw-register',
  keyless: false,
  finalState: false,
  generator: (slot, o, rng) => new TxnGenerator(rng, slot, o, 'w'),
  checkers: () => [{ checker: txnChecker('rw-register'), enforced: true }],
  linearModel: { none: 'transactions are judged by the rw-register checker (faultline check --checker rw-register)' },
  maelstrom: txnFormat,
};
