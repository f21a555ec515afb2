/**
 * `faultline report RUN|FILE`: write report.html for a stored run (into its directory), or for any history
 * file faultline reads (Jepsen EDN, jepsen.log, Porcupine's formats, our JSONL), checked for
 * linearizability on the way unless --no-check.
 */
import { existsSync, statSync } from 'node:fs';
import { InputError } from '../../../histories/errors.js';
import { loadHistory } from '../../../histories/load.js';
import { readGuard } from '../read-guard.js';
import { resolveRun, runPaths } from '../../../histories/store.js';
import type { RunResults } from '../../../histories/run-record.js';
import { checkLinearizable } from '../../../checkers/linear/index.js';
import { detectModel, inferInitial } from '../../../checkers/models/detect.js';
import { EXIT } from '../../../checkers/result.js';
import { writeReportFor, writeRunReport } from '../../report/html/write-report.js';
import { dim, printJson, println, warn } from '../output.js';
import { parsePositive } from './check.js';

export interface ReportOptions {
  store: string;
  output?: string;
  check?: boolean;
  timeout?: string;
  json?: boolean;
}

function isStoredRun(store: string, ref: string): string | undefined {
  // A plain file is a history, never a run reference.
  if (existsSync(ref) && statSync(ref).isFile()) return undefined;
  try {
    return resolveRun(store, ref);
  } catch (err) {
    if (existsSync(ref)) return undefined;
    throw err;
  }
}

export async function reportCommand(ref: string, opts: ReportOptions): Promise<number> {
  const dir = isStoredRun(opts.store, ref);
  let written;
  if (dir) {
    written = await writeRunReport(dir, opts.output ?? runPaths(dir).report);
  } else {
    if (!existsSync(ref)) throw new InputError(`no stored run or history file "${ref}"`);
    const h = await loadHistory(ref, { guard: readGuard() });
    if (h.ops.length === 0) throw new InputError(`${ref}: the file holds no history (it is empty)`);
    for (const w of h.warnings) warn(w);
    let results: RunResults | undefined;
    if (opts.check !== false) {
      const timeoutS = parsePositive('--timeout', opts.timeout) ?? 60;
      const stateless = h.ops.some((op) => op.f === 'generate' || op.f === 'echo');
      if (!stateless) {
        const model = detectModel(h.ops);
        const initial = inferInitial(h.ops, model.value);
        const r = await checkLinearizable(h.ops, { model: model.value, initial: initial?.value ?? null, timeoutMs: timeoutS * 1000 });
        const clientOps = h.ops.filter((o) => typeof o.process === 'number' && o.type === 'invoke').length;
        results = {
          valid: r.valid,
          checkers: [{ ...r, enforced: true, note: [r.note, `model ${model.value}: ${model.reason}`].filter(Boolean).join('; ') }],
          summary: { ops: h.ops.length, clientOps, faults: h.ops.filter((o) => o.process === 'nemesis' && o.f.startsWith('start-')).length, durationS: 0, opsPerSec: 0 },
        };
      }
    }
    written = writeReportFor(opts.output ?? `${ref.replace(/\/+$/, '')}.report.html`, { ops: h.ops, results, source: `${ref} (${h.format})` });
  }
  if (opts.json) printJson({ report: written.path, bytes: written.bytes, ms: Math.round(written.ms), valid: written.data.verdict });
  else println(`report: ${written.path} ${dim(`(${(written.bytes / 1e6).toFixed(1)} MB, ${Math.round(written.ms)} ms)`)}`);
  return EXIT.valid;
}
