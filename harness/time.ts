/** Monotonic time for the history, and sleeps that an abort signal cuts short. */
import { performance } from 'node:perf_hooks';

/** Nanoseconds since `origin` (a performance.now() reading), as an integer. */
export function nanosSince(originMs: number): number {
  return Math.round((performance.now() - originMs) * 1e6);
}

/** Resolve true after `ms`, or false as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, Math.max(0, ms));
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function sleepUntil(atMs: number, signal?: AbortSignal): Promise<boolean> {
  return sleep(atMs - performance.now(), signal);
}

/** Reject with a message naming what took too long. */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`${what} did not finish within ${(ms / 1000).toFixed(1)} s`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(t);
  }
}

/**
 * Settle with `p`, or reject with `interrupted()` as soon as `signal` aborts. `p` itself goes on (the caller
 * tears down whatever it was waiting on); this only stops the caller from waiting for it.
 */
export async function unlessAborted<T>(p: Promise<T>, signal: AbortSignal | undefined, interrupted: () => Error): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) {
    p.catch(() => undefined);
    throw interrupted();
  }
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(interrupted());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  p.catch(() => undefined);
  try {
    return await Promise.race([p, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
