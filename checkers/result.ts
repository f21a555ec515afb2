/**
 * What every checker returns. `valid` is three-valued: a checker that could not decide says `unknown`,
 * never `true`.
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

export interface CheckResult {
  checker: string;
  valid: Validity;
  anomalies: Anomaly[];
  stats: Record<string, unknown>;
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
