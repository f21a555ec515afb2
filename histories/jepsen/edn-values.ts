/**
 * EDN values <-> plain JSON values, through the edn-data library.
 *
 * Reading: keywords and symbols become strings, nil null, vectors and lists arrays, sets sorted arrays (EDN sets
 * are unordered, so sorting makes the result the same on every read), maps objects with string keys. Integers
 * beyond 2^53 would silently lose digits as JS numbers, so they are kept exact as BigInts.
 *
 * Writing: the reverse for JSON data; callers choose which strings become keywords (`EdnKeyword`).
 */
import { EDNListParser, type ParseOptions } from 'edn-data/dist/parse.js';
import { toEDNString, type EDNVal } from 'edn-data';
import type { Warnings } from './warnings.js';
import { MAX_NESTING, toJsonText, ValueError } from '../exact-json.js';
import { InputError } from '../errors.js';

const DECIMAL_INT = /^[-+]?(?:0|[1-9][0-9]*)$/;

/**
 * edn-data reads every integer with parseInt, which rounds past 2^53. Re-reading such a token with the `N`
 * (BigInt) suffix keeps every digit; the caller then decides what to do with the BigInt.
 */
class ExactIntegerParser extends EDNListParser {
  /** Back to the freshly constructed state: constructing one parser per op form costs more than parsing it. */
  reset(): void {
    this.stack = [];
    this.mode = 0; // idle
    this.state = '';
    this.result = undefined;
    this.started = false;
    this.done = false;
  }

  override match(): void {
    const token = this.state;
    if (token.length > 15 && DECIMAL_INT.test(token) && !Number.isSafeInteger(Number(token))) {
      this.state = `${token}N`;
    }
    super.match();
  }
}

const PARSE_OPTIONS: ParseOptions = {
  mapAs: 'doubleArray',
  setAs: 'object',
  listAs: 'array',
  keywordAs: 'object',
  symbolAs: 'object',
  charAs: 'string',
  // Keep instants and UUIDs as the strings they were written as: they stay JSON and survive a round trip.
  tagHandlers: { inst: (v) => v, uuid: (v) => v },
};

const sharedParser = new ExactIntegerParser(PARSE_OPTIONS);

export type ParsedForm = { kind: 'value'; value: EDNVal } | { kind: 'discarded' };

/**
 * Parse exactly one EDN form (the caller has already cut the text at form boundaries). Throws a plain Error with
 * edn-data's message when the library rejects it; callers turn that into an InputError with a line number.
 */
export function parseOneForm(text: string): ParsedForm {
  const parser = sharedParser;
  parser.reset();
  // The library reads a parenthesised list of forms; wrapping gives it exactly that.
  const values = parser.next(`(${text}\n)`);
  // Not done means the closing paren was swallowed (e.g. by a string edn-data thought was open): never guess.
  if (!parser.isDone() || parser.stack.length > 0) throw new Error('the form is incomplete or not valid EDN');
  if (values.length === 0 || values[0] === undefined) return { kind: 'discarded' };
  if (values.length > 1) throw new Error(`expected one form, found ${values.length}`);
  return { kind: 'value', value: values[0] };
}

function isTagged(v: object): v is { tag: string; val: EDNVal } {
  return 'tag' in v && 'val' in v;
}

/** Total order over plain values, used only to make set elements come out in a fixed order. */
function compareValues(a: unknown, b: unknown): number {
  const rank = (v: unknown): number =>
    v === null ? 0 : typeof v === 'boolean' ? 1 : typeof v === 'number' ? 2 : typeof v === 'string' ? 3 : 4;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = typeof a === 'string' ? a : JSON.stringify(a);
  const sb = typeof b === 'string' ? b : JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Object keys from EDN map keys: keywords and strings by name, anything else by its JSON text. */
function mapKeyName(k: unknown): string {
  if (typeof k === 'string') return k;
  if (typeof k === 'number' || typeof k === 'boolean' || k === null) return String(k);
  return JSON.stringify(k);
}

/** Assigning `__proto__` with `=` would change the prototype instead of adding a field. */
export function setField(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/**
 * Convert what edn-data returned into plain JSON data. `where` names the op's line in warnings. Integers beyond
 * 2^53 stay BigInts (exact); non-finite numbers and values nested past MAX_NESTING are refused.
 */
export function toPlain(v: EDNVal | undefined, warnings: Warnings, where: string, depth = 0): unknown {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      if (!Number.isFinite(v)) throw new ValueError(`number out of range: ${v}`);
      return v;
    case 'bigint':
      return Number.isSafeInteger(Number(v)) ? Number(v) : v;
  }
  if (depth >= MAX_NESTING) throw new ValueError(`a value is nested more than ${MAX_NESTING} levels deep`);
  const inner = (x: EDNVal | undefined): unknown => toPlain(x, warnings, where, depth + 1);
  if (Array.isArray(v)) return v.map(inner);
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Map || v instanceof Set) throw new Error('unexpected JS collection from the EDN parser');
  if ('key' in v) return v.key;
  if ('sym' in v) return HEX_INT.test(v.sym) ? hexInteger(v.sym, warnings, where) : symbolValue(v.sym);
  if ('char' in v) return v.char;
  if ('set' in v) return v.set.map(inner).sort(compareValues);
  if ('list' in v) return v.list.map(inner);
  if ('map' in v) {
    const out: Record<string, unknown> = {};
    for (const [k, val] of v.map) setField(out, mapKeyName(inner(k)), inner(val));
    return out;
  }
  if (isTagged(v)) {
    warnings.add(`tag:${v.tag}`, `${where}: EDN tag #${v.tag} dropped; its value was kept`);
    return toPlain(v.val, warnings, where, depth);
  }
  throw new Error(`unexpected value from the EDN parser: ${toJsonText(v)}`);
}

/** edn-data's parser recurses; a value nested thousands deep ends its stack before our own limit can say so. */
export function tooDeep(err: unknown): string {
  return err instanceof RangeError ? 'a value is nested too deeply to read' : (err as Error).message;
}

/** EDN's symbolic values ##Inf, ##-Inf and ##NaN are numbers no checker can compare: refused, as in JSON. */
function symbolValue(sym: string): string {
  if (/^##/.test(sym)) throw new ValueError(`${sym} is not a finite number`);
  return sym;
}

/** Clojure reads 0x1F as an integer; edn-data sees a symbol. */
export const HEX_INT = /^[-+]?0[xX][0-9a-fA-F]+N?$/;

function hexInteger(token: string, warnings: Warnings, where: string): unknown {
  const negative = token.startsWith('-');
  const digits = token.replace(/^[-+]?0[xX]/, '').replace(/N$/, '');
  const big = BigInt(`0x${digits}`);
  return toPlain(negative ? -big : big, warnings, where);
}

/** True when the parsed form is an EDN keyword (as opposed to a string with the same text). */
export function isKeyword(v: EDNVal | undefined): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'key' in v;
}

// ---------------------------------------------------------------------------------------------------------------
// Writing

/** Keyword names that every EDN reader (Clojure's, edn-data) reads back as the same keyword. */
const KEYWORD_NAME = /^[A-Za-z*!_?<>=][A-Za-z0-9*+!_?<>=.-]*(?:\/[A-Za-z*!_?<>=][A-Za-z0-9*+!_?<>=.-]*)?$/;

export function isKeywordName(s: string): boolean {
  return KEYWORD_NAME.test(s) && s !== 'nil' && s !== 'true' && s !== 'false';
}

/** A string the writer should emit as `:name` rather than `"name"`. */
export class EdnKeyword {
  constructor(readonly name: string) {}
}

/** Plain JSON data (plus EdnKeyword markers) into the edn-data value model. */
export function toEdnVal(v: unknown): EDNVal {
  if (v === null || v === undefined) return null;
  if (v instanceof EdnKeyword) return isKeywordName(v.name) ? { key: v.name } : v.name;
  switch (typeof v) {
    case 'string':
    case 'boolean':
    case 'bigint':
      return v;
    case 'number':
      if (!Number.isFinite(v)) throw new InputError(`cannot write ${v} as EDN (EDN has no such number)`);
      return v;
  }
  if (Array.isArray(v)) return v.map(toEdnVal);
  if (typeof v === 'object') {
    const pairs: [EDNVal, EDNVal][] = Object.entries(v).map(([k, x]) => [k, toEdnVal(x)]);
    return { map: pairs };
  }
  throw new InputError(`cannot write a ${typeof v} as EDN`);
}

export function ednText(v: unknown): string {
  return toEDNString(toEdnVal(v));
}
