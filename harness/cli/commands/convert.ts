/** `faultline convert IN --to edn|jsonl [-o OUT]`: move histories between our JSONL and Jepsen's EDN. */
import { closeSync, openSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { InputError } from '../../../histories/errors.js';
import { loadHistory } from '../../../histories/load.js';
import { canonicalOp } from '../../../histories/jsonl-writer.js';
import { opToEdn } from '../../../histories/jepsen/edn-history.js';
import { toJsonText } from '../../../histories/exact-json.js';
import type { Op } from '../../../histories/op.js';
import { readGuard } from '../read-guard.js';
import { EXIT } from '../../../checkers/result.js';
import { printJson, warn } from '../output.js';

export interface ConvertOptions {
  to: string;
  output?: string;
  independent?: boolean;
  json?: boolean;
}

/** Open the -o file, turning a bad path into a message about that path. */
function openOutput(path: string): number {
  try {
    return openSync(path, 'w');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new InputError(`-o ${path} is a directory; give the file to write, e.g. -o ${join(path, 'history.edn')}`);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new InputError(`-o ${path}: the folder ${dirname(path)} does not exist`);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw new InputError(`-o ${path}: permission denied`);
    throw err;
  }
}

/** Ops per piece of output text. */
const BATCH = 4096;

/**
 * The converted text in pieces of BATCH ops (the layouts of historyToEdn and opsToJsonl): a history's text can
 * be longer than the longest string V8 holds (~512 MB), which as one string ended convert with "Invalid string
 * length".
 */
function* converted(ops: readonly Op[], to: 'edn' | 'jsonl'): Generator<string> {
  for (let at = 0; at < ops.length; at += BATCH) {
    const part: string[] = [];
    for (let i = at; i < Math.min(ops.length, at + BATCH); i++) {
      part.push(to === 'edn' ? `${i === 0 ? '[' : '\n '}${opToEdn(ops[i])}` : `${toJsonText(canonicalOp(ops[i]))}\n`);
    }
    yield part.join('');
  }
  if (to === 'edn') yield ']\n';
}

export async function convertCommand(input: string, opts: ConvertOptions): Promise<number> {
  if (opts.to !== 'edn' && opts.to !== 'jsonl') throw new InputError(`--to must be edn or jsonl, got "${opts.to}"`);
  const to = opts.to;
  const h = await loadHistory(input, { independent: opts.independent ?? 'auto', guard: readGuard() });
  // As check does: an empty input is no history, not a history of no ops.
  if (h.ops.length === 0) throw new InputError(`${input}: the file holds no history (it is empty)`);
  for (const w of h.warnings) warn(w);
  if (opts.output) {
    const fd = openOutput(opts.output);
    try {
      for (const piece of converted(h.ops, to)) writeSync(fd, piece);
    } finally {
      closeSync(fd);
    }
    if (opts.json) printJson({ input, from: h.format, to: opts.to, output: opts.output, ops: h.ops.length });
    else process.stderr.write(`${input} (${h.format}, ${h.ops.length} ops) -> ${opts.output} (${opts.to})\n`);
  } else {
    for (const piece of converted(h.ops, to)) if (!process.stdout.write(piece)) await once(process.stdout, 'drain');
  }
  return EXIT.valid;
}
