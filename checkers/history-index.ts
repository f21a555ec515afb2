/**
 * One import for the shared views of a history, for callers outside checkers/ (harness/net-stats.ts); the
 * checkers import the module they need. Each part lives in its own module:
 * op records (op-records.ts), fault windows and partition sides (fault-windows.ts), final reads
 * (final-reads.ts), durations and percentiles (percentiles.ts), message labels (labels.ts), and canonical
 * values (histories/canon.ts).
 */
export { canon } from '../histories/canon.js';
export { FINAL_READ } from '../histories/conventions.js';
export * from './op-records.js';
export * from './percentiles.js';
export * from './fault-windows.js';
export * from './final-reads.js';
export * from './labels.js';
