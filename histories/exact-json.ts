/**
 * JSON read and written without losing a number. JSON.parse rounds every integer beyond 2^53 to the nearest
 * double and turns 1e400 into Infinity, so a write of 9007199254740993 read back as 9007199254740992 would
 * look like the same value to a checker. Here integers beyond 2^53 become BigInts (exact), non-finite numbers
 * are refused as bad input, and values nested deeper than MAX_NESTING are refused before any recursive code
 * (canonical forms, renderers) can run out of stack on them.
 *
 * lossless-json does the exact parse; the native parser stays the fast path for lines with no long number.
 */
import { isInteger, parse as losslessParse, stringify as losslessStringify } from 'lossless-json';

/** Deeper than any real history value; deep enough that no recursive walk of a value exhausts the stack. */
export const MAX_NESTING = 500;

/** A number or a nesting that the readers refuse; readers turn it into an InputError with a line. */
export class ValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValueError';
  }
}

function clip(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** lossless-json's number hook: exact integers (BigInt past 2^53), finite doubles, nothing else. */
export function exactNumber(text: string): number | bigint {
  const n = Number(text);
  if (isInteger(text)) return Number.isSafeInteger(n) ? n : BigInt(text);
  if (!Number.isFinite(n)) throw new ValueError(`number ${clip(text)} is out of range (no finite double holds it)`);
  return n;
}

/** A line that might hold a number JSON.parse would change: 16+ digits in a row, or a 3-digit exponent. */
const RISKY_NUMBER = /\d{16}|[eE][+-]?\d{3}/;

/** Throws ValueError when `v` nests arrays/objects deeper than `max`. Iterative, so any depth is safe to ask. */
export function checkNesting(v: unknown, max = MAX_NESTING): void {
  if (v === null || typeof v !== 'object') return;
  const stack: [unknown, number][] = [[v, 1]];
  while (stack.length > 0) {
    const [x, depth] = stack.pop()!;
    if (depth > max) throw new ValueError(`a value is nested more than ${max} levels deep`);
    const children = Array.isArray(x) ? x : Object.values(x as object);
    for (const c of children) if (c !== null && typeof c === 'object') stack.push([c, depth + 1]);
  }
}

/** Parse one JSON text exactly. SyntaxError for bad JSON, ValueError for a number or nesting we refuse. */
export function parseExactJson(text: string): unknown {
  const fast: unknown = JSON.parse(text);
  checkNesting(fast);
  if (!RISKY_NUMBER.test(text)) return fast;
  return losslessParse(text, undefined, exactNumber);
}

/** JSON.stringify that writes BigInts as the integers they are (JSON.stringify throws on them). */
export function toJsonText(v: unknown, indent?: number): string {
  try {
    return JSON.stringify(v, null, indent);
  } catch (err) {
    if (!(err instanceof TypeError) || !/BigInt/i.test(err.message)) throw err;
    return losslessStringify(v, null, indent) ?? 'null';
  }
}
