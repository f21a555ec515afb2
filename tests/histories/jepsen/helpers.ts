/** Shared by the jepsen suites: op lists compared as sorted-key JSONL, and texts handed over in pieces. */
import type { Op } from '../../../histories/op.js';

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** Ops as JSONL with sorted keys: equal strings mean equal histories, field order aside. */
export function canonicalJsonl(ops: Op[]): string {
  return ops.map((op) => JSON.stringify(sortKeys(op))).join('\n');
}

/** The text in pieces of 1 to `max` characters (a fixed pattern, so failures repeat). */
export function pieces(text: string, max: number): () => AsyncIterable<string> {
  return async function* () {
    let at = 0;
    let k = 0;
    while (at < text.length) {
      const size = 1 + ((k++ * 7919) % max);
      yield text.slice(at, at + size);
      at += size;
    }
  };
}
