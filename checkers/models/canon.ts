/**
 * Canonical JSON: one spelling per value (object keys sorted, no spaces), so that models can compare values
 * and key memo tables by plain string equality. `undefined` is spelled like `null`: a Jepsen `nil`.
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

/** Short human spelling of a JSON value for messages: canonical JSON, cut if long. */
export function show(v: unknown, max = 40): string {
  const s = typeof v === 'string' && isBareWord(v) ? v : canon(v);
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

/** Show a value already in canonical form. */
export function showCanon(c: string, max = 40): string {
  if (c.startsWith('"')) {
    const s = JSON.parse(c) as string;
    if (isBareWord(s)) return s.length > max ? s.slice(0, max - 1) + '…' : s;
  }
  return c.length > max ? c.slice(0, max - 1) + '…' : c;
}

/** Keyword-like strings (Jepsen keywords become these) read better unquoted, unless they look like a literal. */
function isBareWord(s: string): boolean {
  return /^[A-Za-z_][\w-]*$/.test(s) && s !== 'null' && s !== 'true' && s !== 'false';
}
