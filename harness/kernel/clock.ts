/**
 * Clock faults with libfaketime: a node process started with the library preloaded reads its wall-clock
 * offset from a small file, re-read every second, so a skew needs no restart. Monotonic clocks stay real, as
 * with a stepped wall clock on a real machine. Only dynamically linked binaries honour LD_PRELOAD (a static
 * Go binary such as etcd does not), which is why a LaunchSpec says `clock: 'faketime'` when it applies.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { InputError } from '../../histories/errors.js';

export const DEFAULT_FAKETIME_LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

/** True when the library is installed (Debian's libfaketime) at `lib`. */
export function hasFaketime(lib: string = DEFAULT_FAKETIME_LIB): boolean {
  return existsSync(lib);
}

/** The environment that makes a process read its wall clock's offset from `offsetFile`. */
export function faketimeEnv(offsetFile: string, lib: string = DEFAULT_FAKETIME_LIB): Record<string, string> {
  return {
    LD_PRELOAD: lib,
    FAKETIME_TIMESTAMP_FILE: offsetFile,
    FAKETIME_CACHE_DURATION: '1',
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
  };
}

/** The offset file's text for an offset in milliseconds ("+1.500", "-0.250"). */
export function offsetText(offsetMs: number): string {
  if (!Number.isFinite(offsetMs)) throw new InputError(`clock offset must be a number of milliseconds, got ${offsetMs}`);
  const seconds = offsetMs / 1000;
  return `${seconds >= 0 ? '+' : ''}${seconds.toFixed(3)}\n`;
}

/** Set the offset a faketime'd process sees (within a second); 0 resets. */
export function writeClockOffset(offsetFile: string, offsetMs: number): void {
  writeFileSync(offsetFile, offsetText(offsetMs));
}
