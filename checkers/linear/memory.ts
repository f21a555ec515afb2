/**
 * The memory guard every linearizability search consults: is the process about to pass its memory budget
 * (`--max-memory`, resident bytes of the whole process), or the JS heap about to pass the engine's own limit
 * (which would be a crash nothing can catch)? Answers with the reason to report, or undefined.
 *
 * Reading the resident size costs ~15 µs (a read of /proc), so it is done at most every few milliseconds;
 * between readings the answer stands. One guard per thread (module state), and the resident size is the whole
 * process's, so every thread stops when the process as a whole is at the budget.
 */
import { memoryUsage } from 'node:process';
import { getHeapStatistics } from 'node:v8';

const EVERY_MS = 5;
/** Stop before the JS heap passes this share of its limit: past the limit V8 aborts the process. */
const HEAP_SHARE = 0.85;

const mib = (bytes: number): string => `${Math.round(bytes / 2 ** 20)} MB`;

let nextAt = 0;
let rss = 0;
let heapUsed = 0;
let heapLimit = Infinity;

/** The process's resident bytes now (not throttled). */
export function residentBytes(): number {
  return memoryUsage.rss();
}

/**
 * Why a search holding `growBy` more bytes at its next growth (its memo doubles in one step) must stop now, or
 * undefined. `maxRss` undefined: only the heap limit is guarded.
 */
export function memoryExceeded(now: number, maxRss: number | undefined, growBy: number, fresh = false): string | undefined {
  if (fresh || now >= nextAt) {
    nextAt = now + EVERY_MS;
    const h = getHeapStatistics();
    heapUsed = h.used_heap_size;
    heapLimit = h.heap_size_limit;
    rss = maxRss === undefined ? 0 : memoryUsage.rss();
  }
  if (maxRss !== undefined && rss + growBy > maxRss) {
    return growBy > 0
      ? `memory: the process holds ${mib(rss)} and the search's next step needs ~${mib(growBy)} more, past the budget of ${mib(maxRss)} (--max-memory)`
      : `memory: the process holds ${mib(rss)}, past the budget of ${mib(maxRss)} (--max-memory)`;
  }
  if (heapUsed > heapLimit * HEAP_SHARE) return `memory: the JS heap holds ${mib(heapUsed)} of its ${mib(heapLimit)} limit`;
  return undefined;
}

export { mib };
