/** Durations and order statistics over sorted arrays, for latency and staleness figures. */
import type { OpRecord } from './op-records.js';

export function nsToMs(ns: number): number {
  return ns / 1e6;
}

export function latencyNs(r: OpRecord): number | undefined {
  if (r.invokeTime === undefined || r.completeTime === undefined) return undefined;
  return r.completeTime - r.invokeTime;
}

/** Nearest-rank percentile of an ascending array: the smallest value with at least p% of values ≤ it. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/** First index in an ascending array whose value is > x (i.e. the count of values ≤ x). */
export function upperBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in an ascending array whose value is ≥ x (i.e. the count of values < x). */
export function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
