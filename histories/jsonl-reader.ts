/**
 * Streams history.jsonl, validating every line. A malformed line is an InputError naming its line number,
 * except a torn LAST line (no trailing newline: a write cut short by a crash), which is dropped with a warning.
 */
import { openContentStream } from './compressed.js';
import { InputError, type ReadGuard } from './errors.js';
import { parseExactJson, ValueError } from './exact-json.js';
import { fsInputError } from './input-file.js';
import { opSchema, type Op } from './op.js';
import { quickOp } from './op-shape.js';

export interface ReadOptions {
  /** Called once per non-fatal problem (a torn last line). */
  onWarning?: (message: string) => void;
  /** Shown in error messages; defaults to the path. */
  file?: string;
  /** The content, already read (standard input or a pipe); `path` is then only a name. */
  data?: Buffer;
  /** Called every chunk and every GUARD_LINES lines (see LoadOptions.guard). */
  guard?: ReadGuard;
}

/** Lines between two calls of the guard when one chunk holds many (content already in memory). */
const GUARD_LINES = 1 << 14;

const NEWLINE = 0x0a;
/** The longest line read; a longer one is refused rather than grown until memory or string length runs out. */
export const MAX_LINE_BYTES = 256 << 20;

/** Yield each op of a JSONL file (plain or gzipped) in order. Memory stays bounded by the chunk size, whatever the file size. */
export async function* streamJsonl(path: string, opts: ReadOptions = {}): AsyncGenerator<Op> {
  const file = opts.file ?? path;
  // Content already in memory is one chunk: no stream (a Readable over it cost a small check its async plumbing).
  const stream = opts.data ? undefined : openContentStream(path);
  const source: AsyncIterable<Buffer> | Iterable<Buffer> = stream ?? [opts.data!];
  /** The start of a line that continues in the next chunk, kept as parts (one copy when it ends). */
  let carry: Buffer[] | undefined;
  let carryBytes = 0;
  const joinCarry = (tail?: Buffer): Buffer => Buffer.concat(tail ? [...carry!, tail] : carry!);
  let line = 0;
  let expectIndex = 0;

  const guard = opts.guard;
  const parseLine = (text: string, lineNo: number): Op | undefined => {
    if (guard !== undefined && (lineNo & (GUARD_LINES - 1)) === 0) guard();
    if (text.trim() === '') return undefined;
    let raw: unknown;
    try {
      // Exact: integers beyond 2^53 stay BigInts, 1e400 is refused instead of becoming Infinity.
      raw = parseExactJson(text);
    } catch (err) {
      if (err instanceof ValueError) throw new InputError(err.message, lineNo, file);
      throw new InputError(`not valid JSON (${(err as Error).message})`, lineNo, file);
    }
    // The plain shape is checked by hand; only an op that is not plainly right goes through the schema.
    let op = quickOp(raw);
    if (!op) {
      const parsed = opSchema().safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const at = issue.path.length ? `field "${issue.path.join('.')}": ` : '';
        throw new InputError(`not a history op: ${at}${issue.message}`, lineNo, file);
      }
      op = parsed.data;
    }
    if (op.index !== expectIndex) {
      throw new InputError(`op index ${op.index} where ${expectIndex} was expected (indices must be dense, in file order)`, lineNo, file);
    }
    expectIndex++;
    return op;
  };

  const chunks = async function* (): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of source) yield chunk;
    } catch (err) {
      throw fsInputError(err, file);
    }
  };
  try {
    for await (const chunk of chunks()) {
      guard?.();
      let start = 0;
      let nl = chunk.indexOf(NEWLINE, start);
      if (nl !== -1 && carry !== undefined) {
        const first = joinCarry(chunk.subarray(0, nl));
        carry = undefined;
        carryBytes = 0;
        const op = parseLine(first.toString('utf8'), ++line);
        if (op) yield op;
        start = nl + 1;
        nl = chunk.indexOf(NEWLINE, start);
      }
      while (nl !== -1) {
        const op = parseLine(chunk.toString('utf8', start, nl), ++line);
        if (op) yield op;
        start = nl + 1;
        nl = chunk.indexOf(NEWLINE, start);
      }
      if (start < chunk.length) {
        const rest = Buffer.from(chunk.subarray(start));
        if (carry === undefined) carry = [rest];
        else carry.push(rest);
        carryBytes += rest.length;
        // No op needs this much; past it the line could not even become a string.
        if (carryBytes > MAX_LINE_BYTES) {
          throw new InputError(`line is longer than ${MAX_LINE_BYTES >> 20} MiB (no history op is; is this a history?)`, line + 1, file);
        }
      }
    }
  } finally {
    stream?.destroy();
  }

  const last = carry === undefined ? '' : joinCarry().toString('utf8');
  if (last.trim() !== '') {
    line++;
    try {
      const op = parseLine(last, line);
      if (op) yield op;
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      opts.onWarning?.(`${file}:${line}: last line is incomplete (a write cut short?); ignored it: ${err.message}`);
    }
  }
}

/** Read a whole JSONL history into memory. */
export async function readJsonl(path: string, opts: ReadOptions = {}): Promise<{ ops: Op[]; warnings: string[] }> {
  const warnings: string[] = [];
  const ops: Op[] = [];
  for await (const op of streamJsonl(path, {
    ...opts,
    onWarning: (w) => {
      warnings.push(w);
      opts.onWarning?.(w);
    },
  })) {
    ops.push(op);
  }
  return { ops, warnings };
}
