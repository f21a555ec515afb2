/**
 * Jepsen-style JSON histories: one JSON array of op maps, keywords written as strings, as Elle's command-line
 * tools and many Jepsen ports export them, e.g.
 *   [{"type": "invoke", "process": 0, "f": "txn", "value": [["append", 1, 2], ["r", 1, null]]}, ...]
 * A leading colon on `type` and `f` (":invoke") is dropped. Ops go through the same field checks as EDN.
 */
import { InputError } from '../errors.js';
import { parseExactJson, toJsonText, ValueError } from '../exact-json.js';
import { buildOps, type JepsenReadOptions, type ParsedHistory, type RawOp } from './jepsen-ops.js';
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

export function parseJsonHistory(text: string, opts: JepsenReadOptions = {}): ParsedHistory {
  const file = opts.file;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let parsed: unknown;
  try {
    // Exact: integers past 2^53 stay BigInts; 1e400 and absurd nesting are refused, never rounded or overflowed.
    parsed = parseExactJson(body);
  } catch (err) {
    if (err instanceof ValueError) throw new InputError(err.message, undefined, file);
    throw new InputError(`malformed JSON history: ${(err as Error).message}`, undefined, file);
  }
  if (!Array.isArray(parsed)) throw new InputError('a JSON history is an array of op maps', 1, file);
  const lines = elementLines(body);
  const raws: RawOp[] = parsed.map((v: unknown, i) => {
    const line = lines[i] ?? i + 1;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      throw new InputError(`expected an op map such as {"type": "invoke", "f": "txn", ...}, got ${toJsonText(v)?.slice(0, 60)}`, line, file);
    }
    const fields = { ...(v as Record<string, unknown>) };
    for (const k of ['type', 'f', 'process']) if (Object.hasOwn(fields, k)) fields[k] = unkeyword(fields[k]);
    return { fields, line };
  });
  const warnings = new Warnings();
  const ops = buildOps(raws, opts, warnings);
  return { ops, warnings: warnings.list() };
}
