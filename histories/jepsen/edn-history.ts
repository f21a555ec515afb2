/**
 * Jepsen/Knossos EDN histories: read them into faultline ops, and write ops back as EDN that Knossos and Elle read.
 *
 * Both EDN shapes Jepsen tools produce are read: one vector (or list) of op maps, and op maps one after another
 * (history.edn). The round trip EDN -> ops -> EDN -> ops is exact at the JSON level.
 */
import { InputError } from '../errors.js';
import { isClientOp, type Op } from '../op.js';
import { OpFormScanner, scanOpForms } from './edn-forms.js';
import { cutLongStrings } from './edn-long-strings.js';
import { buildOps, opsOfRaws, StreamedOps, type JepsenReadOptions, type ParsedHistory, type RawOp } from './jepsen-ops.js';
import { EdnKeyword, ednText, isKeywordName, parseOneForm, toPlain, tooDeep } from './edn-values.js';
import { Warnings } from './warnings.js';

export type { JepsenReadOptions, ParsedHistory } from './jepsen-ops.js';

function describeValue(v: unknown): string {
  if (v === null) return 'nil';
  if (Array.isArray(v)) return 'a vector';
  return typeof v === 'object' ? 'a map' : `${typeof v} ${JSON.stringify(v)}`;
}

/** The raw op of one op form, or undefined for a discarded one (`#_`). Throws InputError naming its line. */
function rawOfForm(formText: string, line: number, file: string | undefined, warnings: Warnings): RawOp | undefined {
  const cut = cutLongStrings(formText);
  let parsed;
  try {
    parsed = parseOneForm(cut ? cut.text : formText);
  } catch (err) {
    throw new InputError(`malformed EDN: ${tooDeep(err)}`, line, file);
  }
  if (parsed.kind === 'discarded') return undefined;
  let value: unknown;
  try {
    value = toPlain(parsed.value, warnings, `${file ? `${file}:` : ''}${line}`);
    if (cut) value = cut.restore(value);
  } catch (err) {
    throw new InputError(`malformed EDN: ${(err as Error).message}`, line, file);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(`expected an op map such as {:type :invoke, :f :read, ...}, got ${describeValue(value)}`, line, file);
  }
  return { fields: value as Record<string, unknown>, line };
}

const emptyMessage = (file: string | undefined): string => `${file ?? 'input'}: the file is empty (a history with no ops)`;
const commentsOnly = (file: string | undefined): string => `${file ?? 'input'}: only comments, no ops`;

/** Parse a whole EDN history. Throws InputError naming the line of the first malformed op form. */
export function parseEdnHistory(text: string, opts: JepsenReadOptions = {}): ParsedHistory {
  const file = opts.file;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') return { ops: [], warnings: [emptyMessage(file)] };

  const warnings = new Warnings();
  const raws: RawOp[] = [];
  const shape = scanOpForms(body, file, ({ text: formText, line }) => {
    const raw = rawOfForm(formText, line, file, warnings);
    if (raw) raws.push(raw);
  });
  if (shape === 'empty') warnings.add('empty', commentsOnly(file));
  const ops = buildOps(raws, opts, warnings);
  return { ops, warnings: warnings.list() };
}

/**
 * parseEdnHistory op by op, holding no ops: `chunks()` gives the text in pieces and is called twice. The first
 * pass cuts and checks every op form and learns what needs the whole history (independence); the second yields
 * the ops. Same ops, errors and warnings (handed to `onWarnings` at the end) as the whole read. `once`: read
 * the text once, holding the raw op maps until it ends (see opsOfRaws), for a caller that keeps every op anyway.
 */
export async function* streamEdnHistory(
  chunks: () => AsyncIterable<string>,
  opts: JepsenReadOptions,
  onWarnings: (w: string[]) => void,
  once = false,
): AsyncGenerator<Op> {
  const file = opts.file;
  const warnings = new Warnings();
  const built = new StreamedOps(opts, warnings);
  const forms = async function* (w: Warnings): AsyncGenerator<RawOp | 'empty'> {
    const ready: RawOp[] = [];
    const scanner = new OpFormScanner(file, ({ text, line }) => {
      const raw = rawOfForm(text, line, file, w);
      if (raw) ready.push(raw);
    });
    let first = true;
    let blank = true;
    for await (const piece of chunks()) {
      const text = first && piece.charCodeAt(0) === 0xfeff ? piece.slice(1) : piece;
      first = false;
      if (blank && text.trim() !== '') blank = false;
      scanner.feed(text, false);
      yield* ready;
      ready.length = 0;
    }
    if (blank) return;
    scanner.feed('', true);
    yield* ready;
    if (scanner.shape === 'empty') yield 'empty';
  };
  // A survey pass keeps its own warnings: the counted pass gives them again.
  const any = yield* opsOfRaws((final) => forms(final ? warnings : new Warnings()), built, once, () => warnings.add('empty', commentsOnly(file)));
  if (!any) warnings.add('empty', emptyMessage(file));
  else built.finish();
  onWarnings(warnings.list());
}

const keyword = (s: string): EdnKeyword | string => (isKeywordName(s) ? new EdnKeyword(s) : s);

/** Map keys of an op: keywords where the name allows it (always, for Jepsen's own fields). */
function fieldKey(k: string): string {
  return isKeywordName(k) ? `:${k}` : JSON.stringify(k);
}

/**
 * In a txn value, each micro-op `[f k v]` names its function with a keyword, as Elle expects, and a register
 * named by a string is written as a keyword too, as Knossos' multi-register histories name them (`:x`).
 */
function txnValue(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((mop) =>
    Array.isArray(mop) && mop.length > 0 && typeof mop[0] === 'string'
      ? [keyword(mop[0]), ...(mop.length > 1 ? [typeof mop[1] === 'string' ? keyword(mop[1]) : mop[1]] : []), ...mop.slice(2)]
      : mop,
  );
}

const WRITTEN_FIRST = new Set(['index', 'type', 'process', 'f', 'key', 'value', 'time', 'error']);

/** One op as an EDN map on one line, e.g. `{:index 0, :type :invoke, :process 3, :f :write, :value [1 4], :time 120}`. */
export function opToEdn(op: Op): string {
  const parts: string[] = [];
  const put = (k: string, v: unknown): void => {
    if (v !== undefined) parts.push(`${fieldKey(k)} ${ednText(v)}`);
  };
  put('index', op.index);
  put('type', new EdnKeyword(op.type));
  put('process', typeof op.process === 'string' ? keyword(op.process) : op.process);
  put('f', keyword(op.f));
  const value = op.f === 'txn' ? txnValue(op.value) : op.value;
  if (op.key !== undefined && isClientOp(op)) {
    // Jepsen's independent workloads carry the key inside the value; the reader unwraps it again.
    put('value', [op.key, value ?? null]);
  } else {
    put('key', op.key);
    put('value', value);
  }
  put('time', op.time);
  put('error', typeof op.error === 'string' ? keyword(op.error) : op.error);
  for (const [k, v] of Object.entries(op)) if (!WRITTEN_FIRST.has(k)) put(k, v);
  return `{${parts.join(', ')}}`;
}

/** A whole history as one EDN vector, one op per line (the layout of Knossos' test histories). */
export function historyToEdn(ops: Iterable<Op>): string {
  const lines: string[] = [];
  for (const op of ops) lines.push(opToEdn(op));
  return `[${lines.join('\n ')}]\n`;
}
