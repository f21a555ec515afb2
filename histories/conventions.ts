/**
 * The history's own conventions, defined once: the names of the events the harness writes into a history
 * and the checkers read back. The harness writes them through these constants (harness/recorder.ts,
 * harness/final-reads.ts, harness/controller.ts) and the checkers recognise them through the same ones, so a
 * rename is one edit and a typo is a compile error rather than a silent mismatch.
 */

/** A harness read of one node's own state after the heal (process `final-reads`, one op per node and key). */
export const FINAL_READ = 'final-read';
/** The nemesis event that ends every fault before the quiescence window. */
export const HEAL = 'heal';
/**
 * Final reads are made by processes numbered from here up (one per node), so no client process id can be
 * mistaken for one.
 */
export const FINAL_READ_PROCESS_BASE = 1_000_000_000;
/** The nemesis event after the final reads, carrying the controller's summary of the rounds. */
export const FINAL_READS_DONE = 'final-reads-done';
/**
 * After the final reads, what one node says it committed, height by height (targets that expose it: the
 * built-in bft). Process `nemesis`, type `info`; `value` is `{ node, from, ids }` (the batch id committed at
 * heights from, from+1, ...; '' for a height the node skipped) or `{ node, error }` when the node did not answer.
 */
export const REPLICA_LOG = 'replica-log';
