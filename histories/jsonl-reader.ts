/**
 * Streams history.jsonl, validating every line. A malformed line is an InputError naming its line number,
 * except a torn LAST line (no trailing newline: a write cut short by a crash), which is dropped with a warning.
 */
import { openContentStream } from './compressed.js';
import { InputError } from './errors.js';
import { OpSchema, type Op } from './op.js';

export interface ReadOptions {
  /** Called once per non-fatal problem (a torn last line). */
  onWarning?: (message: string) => void;
  /** Shown in error messages; defaults to the path. */
  file?: string;
}

const NEWLINE = 0x0a;

/** Yield each op of a JSONL file (plain or gzipped) in order. Memory stays bounded by the chunk size, whatever the file size. */
export async function* streamJsonl(path: string, opts: ReadOptions = {}): AsyncGenerator<Op> {
  const file = opts.file ?? path;
  const stream = openContentStream(path);
  let carry: Buffer | undefined;
  let line = 0;
  let expectIndex = 0;

  const parseLine = (text: string, lineNo: number): Op | undefined => {
    if (text.trim() === '') return undefined;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new InputError(`not valid JSON (${(err as Error).message})`, lineNo, file);
    }
    const parsed = OpSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const at = issue.path.length ? `field "${issue.path.join('.')}": ` : '';
      throw new InputError(`not a history op: ${at}${issue.message}`, lineNo, file);
    }
    const op = parsed.data;
    if (op.index !== expectIndex) {
      throw new InputError(`op index ${op.index} where ${expectIndex} was expected (indices must be dense, in file order)`, lineNo, file);
    }
    expectIndex++;
    return op;
  };

  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      let nl = chunk.indexOf(NEWLINE, start);
      if (nl !== -1 && carry !== undefined) {
        const first = Buffer.concat([carry, chunk.subarray(0, nl)]);
        carry = undefined;
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
        const rest = chunk.subarray(start);
        carry = carry === undefined ? Buffer.from(rest) : Buffer.concat([carry, rest]);
      }
    }
  } finally {
    stream.destroy();
  }

  if (carry !== undefined && carry.toString('utf8').trim() !== '') {
    line++;
    try {
      const op = parseLine(carry.toString('utf8'), line);
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
