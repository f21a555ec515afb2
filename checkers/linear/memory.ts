/**
 * The memory guard every linearizability search consults: is the process about to pass its memory budget
 * (`--max-memory`, resident bytes of the whole process), or the JS heap about to pass the engine's own limit
 * (which would be a crash nothing can catch)? Answers with the reason to report, or undefined.
 *
 * Reading the resident size costs ~15 µs (a read of /proc), so it is done at most every few milliseconds;
 * between readings the answer stands. One guard per thread (module state), and the resident size is the whole
 * process's, so every thread stops when the process as a whole is at the budget.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { memoryUsage } from 'node:process';
import { getHeapStatistics } from 'node:v8';

const EVERY_MS = 5;
/** Stop before the JS heap passes this share of its limit: past the limit V8 aborts the process. */
const HEAP_SHARE = 0.85;

/** Bytes as whole MiB, for messages. */
export const mib = (bytes: number): string => `${Math.round(bytes / 2 ** 20)} MB`;

let nextAt = 0;
let rss = 0;
let heapUsed = 0;
let heapLimit = Infinity;

const statmBuf = Buffer.alloc(256);
/** Bytes per page of /proc/self/statm's counts, found once (undefined: not yet; 0: no usable statm). */
let pageBytes: number | undefined;

/** Resident pages from /proc/self/statm (its second field), or undefined where there is none. */
function statmPages(): number | undefined {
  let fd: number | undefined;
  try {
    fd = openSync('/proc/self/statm', 'r');
    const n = readSync(fd, statmBuf, 0, statmBuf.length, 0);
    const pages = Number(statmBuf.toString('latin1', 0, n).split(' ')[1]);
    return Number.isFinite(pages) && pages > 0 ? pages : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The process's resident bytes now (not throttled). Read from /proc/self/statm where there is one: node's
 * memoryUsage.rss() reads /proc/self/stat, whose kernel side waits on the address space's lock, and with GC
 * threads mapping memory on a loaded machine single readings took up to 50 ms (230 readings cost 0.2-0.35 s of a
 * 0.5 s check of 100 small logs; the same readings of statm, 10-20 ms). The page size is found once, against
 * memoryUsage.rss().
 */
export function residentBytes(): number {
  if (pageBytes === 0) return memoryUsage.rss();
  const pages = statmPages();
  if (pages === undefined) {
    pageBytes = 0;
    return memoryUsage.rss();
  }
  if (pageBytes === undefined) {
    // The nearest power of two to rss / pages (4 KiB on most machines, 16 or 64 KiB on some).
    const rss = memoryUsage.rss();
    pageBytes = 2 ** Math.round(Math.log2(Math.max(1, rss / pages)));
    return rss;
  }
  return pages * pageBytes;
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
    rss = maxRss === undefined ? 0 : residentBytes();
  }
  if (maxRss !== undefined && rss + growBy > maxRss) {
    return growBy > 0
      ? `memory: the process holds ${mib(rss)} and the search's next step needs ~${mib(growBy)} more, past the budget of ${mib(maxRss)} (--max-memory)`
      : `memory: the process holds ${mib(rss)}, past the budget of ${mib(maxRss)} (--max-memory)`;
  }
  if (heapUsed > heapLimit * HEAP_SHARE) return `memory: the JS heap holds ${mib(heapUsed)} of its ${mib(heapLimit)} limit`;
  return undefined;
}

