/**
 * Canonical JSON, the one spelling per value that every checker compares and keys tables by: object keys
 * sorted, no spaces, so 1, "1" and [1] stay distinct and key order does not matter. BigInts (integers past
 * 2^53, see exact-json.ts) are written as the integers they are; `undefined` and non-finite numbers are
 * spelled like `null` (a Jepsen `nil`).
 */
export function canon(v: unknown): string {
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
      return 'null';
    case 'bigint':
      return v.toString();
    case 'object':
      if (v === null) return 'null';
      if (Array.isArray(v)) return '[' + v.map(canon).join(',') + ']';
      return (
        '{' +
        Object.keys(v as Record<string, unknown>)
          .sort()
          .map((k) => JSON.stringify(k) + ':' + canon((v as Record<string, unknown>)[k]))
          .join(',') +
        '}'
      );
    default:
      return 'null';
  }
}
