/** Short texts for people in checker messages: a key's label, the first few items of a list. */
import { canon } from '../histories/canon.js';
import type { Key } from '../histories/op.js';

/** A key for people: `x`, `7`, or `(no key)`. */
export function keyLabel(k: Key | undefined): string {
  return k === undefined ? '(no key)' : String(k);
}

/** At most `n` items of a list, for messages. */
export function firstFew<T>(xs: readonly T[], n = 5): string {
  const shown = xs.slice(0, n).map((x) => (typeof x === 'string' ? x : canon(x)));
  return xs.length > n ? `${shown.join(', ')}, … (${xs.length} in all)` : shown.join(', ');
}
