/** Shared by the jepsen suites: compare op lists the way the lead's JSONL comparison does (sorted keys). */
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
