/**
 * Jepsen-style JSON histories: one JSON array of op maps, keywords written as strings, as Elle's command-line
 * tools and many Jepsen ports export them, e.g.
 *   [{"type": "invoke", "process": 0, "f": "txn", "value": [["append", 1, 2], ["r", 1, null]]}, ...]
 * A leading colon on `type` and `f` (":invoke") is dropped. Ops go through the same field checks as EDN.
 */
import { InputError } from '../errors.js';
import { parseExactJson, toJsonText, ValueError } from '../exact-json.js';
import type { Op } from '../op.js';
import { buildOps, opsOfRaws, StreamedOps, type JepsenReadOptions, type ParsedHistory, type RawOp } from './jepsen-ops.js';
import { JsonArrayScanner } from './json-elements.js';
import { Warnings } from './warnings.js';

/** The line each top-level element of a JSON array starts on, so errors name a line a person can find. */
function elementLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (depth === 1) lines.push(line);
      depth++;
    } else if (c === 93 || c === 125) depth--;
  }
  return lines;
}

const unkeyword = (v: unknown): unknown => (typeof v === 'string' && v.startsWith(':') ? v.slice(1) : v);

/** The raw op of one element of the array (an op map, keywords as strings). */
function rawOfElement(v: unknown, line: number, file: string | undefined): RawOp {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new InputError(`expected an op map such as {"type": "invoke", "f": "txn", ...}, got ${toJsonText(v)?.slice(0, 60)}`, line, file);
  }
  const fields = { ...(v as Record<string, unknown>) };
  for (const k of ['type', 'f', 'process']) if (Object.hasOwn(fields, k)) fields[k] = unkeyword(fields[k]);
  return { fields, line };
}

/**
 * JSON text parsed exactly: integers past 2^53 stay BigInts; 1e400 and absurd nesting are refused, never
 * rounded or overflowed. Errors name `line` (undefined: the whole text).
 */
function parseExact(text: string, line: number | undefined, file: string | undefined): unknown {
  try {
    return parseExactJson(text);
  } catch (err) {
    if (err instanceof ValueError) throw new InputError(err.message, line, file);
    throw new InputError(`malformed JSON history: ${(err as Error).message}`, line, file);
  }
}

/** Parse one element's text exactly, as parseJsonHistory parses the whole. */
function parseElement(text: string, line: number, file: string | undefined): RawOp {
  return rawOfElement(parseExact(text, line, file), line, file);
}

export function parseJsonHistory(text: string, opts: JepsenReadOptions = {}): ParsedHistory {
  const file = opts.file;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const parsed = parseExact(body, undefined, file);
  if (!Array.isArray(parsed)) throw new InputError('a JSON history is an array of op maps', 1, file);
  const lines = elementLines(body);
  const raws: RawOp[] = parsed.map((v: unknown, i) => rawOfElement(v, lines[i] ?? i + 1, file));
  const warnings = new Warnings();
  const ops = buildOps(raws, opts, warnings);
  return { ops, warnings: warnings.list() };
}

/**
 * parseJsonHistory element by element, holding no ops: `chunks()` gives the text in pieces and is called twice.
 * The first pass parses and checks every element and learns what needs the whole history (independence); the
 * second yields the ops. Same ops and warnings (handed to `onWarnings` at the end) as the whole read; an error
 * names the element's line, and a malformed element's message comes from parsing that element alone. `once`:
 * read the text once, holding the raw op maps (see opsOfRaws).
 */
export async function* streamJsonHistory(
  chunks: () => AsyncIterable<string>,
  opts: JepsenReadOptions,
  onWarnings: (w: string[]) => void,
  once = false,
): AsyncGenerator<Op> {
  const file = opts.file;
  const raws = async function* (): AsyncGenerator<RawOp> {
    const ready: RawOp[] = [];
    const scanner = new JsonArrayScanner(file, (text, line) => ready.push(parseElement(text, line, file)));
    for await (const piece of chunks()) {
      scanner.feed(piece);
      yield* ready;
      ready.length = 0;
    }
    scanner.feed('', true);
    yield* ready;
  };
  const warnings = new Warnings();
  const built = new StreamedOps(opts, warnings);
  const any = yield* opsOfRaws(raws, built, once, () => {});
  if (any) built.finish();
  onWarnings(warnings.list());
}
