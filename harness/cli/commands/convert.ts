/** `faultline convert IN --to edn|jsonl [-o OUT]`: move histories between our JSONL and Jepsen's EDN. */
import { writeFileSync } from 'node:fs';
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

export async function convertCommand(input: string, opts: ConvertOptions): Promise<number> {
  if (opts.to !== 'edn' && opts.to !== 'jsonl') throw new InputError(`--to must be edn or jsonl, got "${opts.to}"`);
  const h = await loadHistory(input, { independent: opts.independent ?? 'auto' });
  for (const w of h.warnings) warn(w);
  const text = opts.to === 'edn' ? historyToEdn(h.ops) : opsToJsonl(h.ops);
  if (opts.output) {
    writeFileSync(opts.output, text);
    if (opts.json) printJson({ input, from: h.format, to: opts.to, output: opts.output, ops: h.ops.length });
    else process.stderr.write(`${input} (${h.format}, ${h.ops.length} ops) -> ${opts.output} (${opts.to})\n`);
  } else {
    process.stdout.write(text);
  }
  return EXIT.valid;
}
