/** `faultline convert IN --to edn|jsonl [-o OUT]`: move histories between our JSONL and Jepsen's EDN. */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InputError } from '../../../histories/errors.js';
import { loadHistory } from '../../../histories/load.js';
import { opsToJsonl } from '../../../histories/jsonl-writer.js';
import { historyToEdn } from '../../../histories/jepsen/edn-history.js';
import { EXIT } from '../../../checkers/result.js';
import { printJson, warn } from '../output.js';

export interface ConvertOptions {
  to: string;
  output?: string;
  independent?: boolean;
  json?: boolean;
}

/** Write the converted text, turning a bad -o path into a message about that path. */
function writeOutput(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new InputError(`-o ${path} is a directory; give the file to write, e.g. -o ${join(path, 'history.edn')}`);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new InputError(`-o ${path}: the folder ${dirname(path)} does not exist`);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw new InputError(`-o ${path}: permission denied`);
    throw err;
  }
}

export async function convertCommand(input: string, opts: ConvertOptions): Promise<number> {
  if (opts.to !== 'edn' && opts.to !== 'jsonl') throw new InputError(`--to must be edn or jsonl, got "${opts.to}"`);
  const h = await loadHistory(input, { independent: opts.independent ?? 'auto' });
  // As check does: an empty input is no history, not a history of no ops.
  if (h.ops.length === 0) throw new InputError(`${input}: the file holds no history (it is empty)`);
  for (const w of h.warnings) warn(w);
  const text = opts.to === 'edn' ? historyToEdn(h.ops) : opsToJsonl(h.ops);
  if (opts.output) {
    writeOutput(opts.output, text);
    if (opts.json) printJson({ input, from: h.format, to: opts.to, output: opts.output, ops: h.ops.length });
    else process.stderr.write(`${input} (${h.format}, ${h.ops.length} ops) -> ${opts.output} (${opts.to})\n`);
  } else {
    process.stdout.write(text);
  }
  return EXIT.valid;
}
