/**
 * What every checker returns. `valid` is three-valued: a checker that could not decide says `unknown`,
 * never `true`.
 *
 * `facts` is the typed vocabulary readers sum across checkers (the CAP summary, the compare table, the HTML
 * report). A checker fills only the facts it measured; a reader never looks a checker up by name, so a new
 * checker informs the CAP sentence by filling facts, not by editing cap.ts. `stats` stays free-form detail
 * for people and --json.
 */
export type Validity = true | false | 'unknown';

export interface Anomaly {
  /** A short machine name, e.g. `nonlinearizable`, `lost-write`, `stale-read`, `divergent`. */
  kind: string;
  /** One plain-language sentence or paragraph a person can read. */
  message: string;
  /** Any structured detail (op indices, nodes, values). */
  [extra: string]: unknown;
}

/** One bucket of client ops for availability: how many, and what share the system answered. */
export interface AnsweredFact {
  ops: number;
  /** ok plus definite refusals, over all ops of the bucket; null when the bucket is empty. */
  answeredFraction: number | null;
}

/** What a checker measured that others may sum. Every field is optional: absent means "not measured". */
export interface Facts {
  /** The answer of a linearizability search over the history. */
  linearizable?: Validity;
  /**
   * This checker's word on consistency, when it has one: false when what it found contradicts any
   * consistency promise; true when it alone shows the history consistent (a set checked in linearizable
   * mode); unknown when it tried and could not decide. Absent: it has no opinion.
   */
  consistent?: Validity;
  /**
   * What `consistent` was judged against, in words, when it is not linearizability or a set's reads (a
   * transactional checker: "strict-serializable", "not read-atomic: internal"); the CAP sentence leads with it.
   */
  consistencyClaim?: string;
  /** Reads that missed a write known complete before they began (counted per read). */
  staleReads?: number;
  /** The same reads by the node that answered them, where the history names it: which replica lagged. */
  staleReadsByNode?: Record<string, number>;
  /** Acknowledged (or observed) writes that a later view lost, judged op by op. */
  lostWrites?: number;
  /** Values read that no write could have produced. */
  phantoms?: number;
  /** Lost writes and phantoms judged from the final state alone; used only when no checker judged op by op. */
  finalLostWrites?: number;
  finalPhantoms?: number;
  /** Whether the nodes agreed at the end; absent when the checker could not tell. */
  converged?: boolean;
  /** The convergence story for the CAP sentence, from the checker that watched the final reads. */
  convergence?: {
    /** Seconds from the heal to agreement; null when unknown. */
    secondsToConverge: number | null;
    /** Seconds from the last client answer to agreement; null when the load did not outlast the heal. */
    secondsAfterLoad: number | null;
    /** The sentence that says why it did not converge, when it did not. */
    failure?: string;
  };
  /** Availability buckets, for checkers that measure answers around faults. */
  answered?: {
    duringFaults: AnsweredFact;
    duringPartitions: AnsweredFact;
    majority: AnsweredFact;
    minority: AnsweredFact;
  };
  /** p99 latency of all completed client ops, in ms. */
  p99Ms?: number | null;
}

export interface CheckResult {
  checker: string;
  valid: Validity;
  anomalies: Anomaly[];
  stats: Record<string, unknown>;
  /** The measured facts other readers may sum (see `Facts`). */
  facts?: Facts;
  /** Why the answer is `unknown`, when it is. */
  reason?: string;
  /** Anything a reader should know about a definite answer (e.g. that there was nothing to check). */
  note?: string;
}

/** false beats unknown beats true. */
export function composeValidity(vs: Iterable<Validity>): Validity {
  let out: Validity = true;
  for (const v of vs) {
    if (v === false) return false;
    if (v === 'unknown') out = 'unknown';
  }
  return out;
}

/** Exit codes, as Jepsen's. */
export const EXIT = { valid: 0, invalid: 1, unknown: 2, badInput: 254, harness: 255 } as const;

export function exitCodeFor(v: Validity): number {
  return v === true ? EXIT.valid : v === false ? EXIT.invalid : EXIT.unknown;
}
