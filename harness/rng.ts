/**
 * Every random choice comes from a seedrandom stream derived from the run's seed and a purpose name, so that
 * adding a stream for one purpose never shifts the numbers another purpose sees.
 */
import seedrandom from 'seedrandom';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  int(lo: number, hiInclusive: number): number;
  pick<T>(xs: readonly T[]): T;
  shuffle<T>(xs: readonly T[]): T[];
  chance(p: number): boolean;
}

export function rngFor(seed: string, purpose: string): Rng {
  const r = seedrandom(`${seed}/${purpose}`);
  const next = () => r.quick();
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return {
    next,
    int,
    pick: (xs) => xs[int(0, xs.length - 1)],
    shuffle: (xs) => {
      const out = xs.slice();
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(0, i);
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    },
    chance: (p) => next() < p,
  };
}

/** A fresh seed for runs that did not ask for one: printed and stored, so any run can be repeated. */
export function randomSeed(): string {
  return String(Math.floor(Math.random() * 2 ** 31));
}
