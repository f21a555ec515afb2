/**
 * The reading guard of a command that loads a history (check, convert, report): the same memory budget and the
 * same reading of the process's resident size (and of the JS heap against V8's own limit) as the
 * linearizability search's, so that a history too big to hold ends the read with ReadLimitError instead of
 * ending the process. memoryExceeded reads memory at most every few milliseconds.
 */
import { ReadLimitError, type ReadGuard } from '../../histories/errors.js';
import { defaultMaxMemory } from '../../checkers/linear/index.js';
import { memoryExceeded } from '../../checkers/linear/memory.js';

/** `maxMemory` in bytes; default: the check's default budget (a quarter of RAM, at most 4 GiB). */
export function readGuard(maxMemory: number = defaultMaxMemory()): ReadGuard {
  return () => {
    const reason = memoryExceeded(Date.now(), maxMemory, 0);
    if (reason !== undefined) throw new ReadLimitError(`${reason}, while reading the history`);
  };
}
