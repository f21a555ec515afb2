/**
 * How models spell values: canonical JSON (histories/canon.ts, the one canon of the project) for comparing,
 * and short human spellings for messages.
 */
import { canon } from '../../histories/canon.js';

export { canon };

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
