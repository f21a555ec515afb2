/** The transactional (Elle-style) checkers: list-append and rw-register, and the consistency-model hierarchy. */
export { checkTxn, txnChecker, listAppendChecker, rwRegisterChecker, type TxnCheckOptions, type TxnCheckResult, type TxnDataModel, type CycleData, type CycleStep } from './check.js';
export { MODEL_NAMES, boundary, prohibitedBy, parseConsistencyModels } from './models.js';
export { readTxns, type Txn, type Mop } from './txns.js';
