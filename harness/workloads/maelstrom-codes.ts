/** Maelstrom's error codes that workloads' message formats and the Maelstrom client both need. */

/** Maelstrom's definite errors: the request certainly took no effect. 0 (timeout) and 13 (crash) are not. */
const DEFINITE = new Set([1, 10, 11, 12, 14, 20, 21, 22, 30]);
export const KEY_DOES_NOT_EXIST = 20;

export function isDefiniteError(code: unknown): boolean {
  return typeof code === 'number' && DEFINITE.has(code);
}
