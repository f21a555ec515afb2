/** `faultline check FILE...`: check stored or imported histories for linearizability. */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { InputError } from '../../../histories/errors.js';
import { loadHistory } from '../../../histories/load.js';
import { readMeta } from '../../../histories/store.js';
import { checkLinearizable } from '../../../checkers/linear/index.js';
import { MODELS } from '../../../checkers/models/index.js';
import { detectModel, inferInitial, type Detected } from '../../../checkers/models/detect.js';
import type { Op } from '../../../histories/op.js';
import { isCounterWorkload, isSetWorkload } from '../../target.js';
import { EXIT, type CheckResult } from '../../../checkers/result.js';
import { bold, dim, printJson, println, verdictWord, warn } from '../output.js';
import { describeError } from '../errors.js';
import { renderLinearResult } from '../../report/linear-text.js';
import { checkProgress } from '../check-progress.js';

export interface CheckOptions {
  model?: string;
  initial?: string;
  timeout?: string;
  maxStates?: string;
  maxMemory?: string;
  workers?: string;
  independent?: boolean;
  json?: boolean;
  progress?: boolean;
}

export function parseInitial(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError(`--initial must be JSON (e.g. 0, null, '{"x":0}'), got ${text}`);
  }
}

export function parsePositive(name: string, text: string | undefined, integer = false): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new InputError(`${name} must be a positive ${integer ? 'integer' : 'number'}, got ${text}`);
  }
  return n;
}

function noLinearModel(path: string, workload: 'unique-ids' | 'echo' | 'kafka'): InputError {
  const what = workload === 'echo' ? 'echoes only have to match' : workload === 'kafka' ? 'its logs are judged by the kafka checker' : 'ids only have to differ';
  return new InputError(
    `${path}: a ${workload} history has no datatype to check for linearizability (${what}); a stored run's verdict on it is in its results (faultline show)`,
  );
}

/** A stored run knows its workload; an imported history's model is read off its op names. */
function defaultModel(path: string, ops: readonly Op[]): Detected<string> {
  const dir = existsSync(path) && statSync(path).isDirectory() ? path : undefined;
  if (dir && existsSync(join(dir, 'run.json'))) {
    const meta = readMeta(dir);
    const w = meta.config.workload;
    if (w === 'unique-ids' || w === 'echo' || w === 'kafka') throw noLinearModel(path, w);
    const value = isSetWorkload(w) ? 'set' : isCounterWorkload(w) ? 'counter' : 'cas-register';
    return { value, reason: `the run's ${w} workload` };
  }
  const stateless = ops.find((op) => (op.f === 'generate' || op.f === 'echo') && typeof op.process === 'number');
  if (stateless) throw noLinearModel(path, stateless.f === 'echo' ? 'echo' : 'unique-ids');
  return detectModel(ops);
}

export async function checkCommand(files: string[], opts: CheckOptions): Promise<number> {
  if (opts.model !== undefined && !(opts.model in MODELS)) {
    throw new InputError(`unknown model "${opts.model}"; models: ${Object.keys(MODELS).join(', ')}`);
  }
  const initial = parseInitial(opts.initial);
  const timeoutS = parsePositive('--timeout', opts.timeout);
  const maxStates = parsePositive('--max-states', opts.maxStates, true);
  const workers = parsePositive('--workers', opts.workers, true);
  const maxMemoryMb = parsePositive('--max-memory', opts.maxMemory);

  let invalid = 0;
  let unknown = 0;
  let bad = 0;
  for (const file of files) {
    const t0 = performance.now();
    let result: CheckResult;
    let ops = 0;
    let chosen: { model: string; modelReason?: string; initial?: unknown; initialReason?: string } = { model: '' };
    try {
      const h = await loadHistory(file, { independent: opts.independent ?? 'auto' });
      if (h.ops.length === 0) throw new InputError(`${file}: the file holds no history (it is empty)`);
      for (const w of h.warnings) warn(w);
      ops = h.ops.length;
      const detected = opts.model === undefined ? defaultModel(file, h.ops) : undefined;
      const model = opts.model ?? detected!.value;
      const inferred = initial === undefined ? inferInitial(h.ops, model) : undefined;
      chosen = {
        model,
        ...(detected ? { modelReason: detected.reason } : {}),
        ...(inferred ? { initial: inferred.value, initialReason: inferred.reason } : {}),
      };
      const progress = checkProgress(file, !opts.json && opts.progress !== false && process.stderr.isTTY === true, timeoutS);
      try {
        result = await checkLinearizable(h.ops, {
          model,
          initial: inferred ? inferred.value : initial,
          timeoutMs: timeoutS === undefined ? undefined : timeoutS * 1000,
          maxStates,
          maxMemory: maxMemoryMb === undefined ? undefined : maxMemoryMb * 2 ** 20,
          workers,
          onProgress: progress.onProgress,
        });
      } finally {
        progress.stop();
      }
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      bad++;
      if (opts.json) printJson({ file, valid: null, error: err.describe() });
      else println(`${bold(file)}: ${describeError(err)}`);
      continue;
    }
    const ms = Math.round(performance.now() - t0);
    if (result.valid === false) invalid++;
    else if (result.valid === 'unknown') unknown++;
    if (opts.json) {
      printJson({ file, valid: result.valid, ops, ms, ...chosen, reason: result.reason, note: result.note, anomalies: result.anomalies, stats: result.stats });
    } else {
      const note = typeof result.note === 'string' ? `; ${result.note}` : '';
      println(`${bold(file)}: ${verdictWord(result.valid)} ${dim(`(${ops} ops, ${ms} ms${note})`)}`);
      // Say what was chosen for the user, so a verdict never rests on a silent guess.
      if (chosen.modelReason && chosen.model !== 'cas-register') println(dim(`  model ${chosen.model}: ${chosen.modelReason} (--model to choose)`));
      if (chosen.initialReason) println(dim(`  initial value "": ${chosen.initialReason} (--initial to choose)`));
      const detail = renderLinearResult(result);
      if (detail) println(detail);
    }
  }
  if (invalid) return EXIT.invalid;
  if (bad) return EXIT.badInput;
  if (unknown) return EXIT.unknown;
  return EXIT.valid;
}
