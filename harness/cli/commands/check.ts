/**
 * `faultline check FILE...`: check stored runs and imported histories. A stored run (a store folder with its
 * run.json) is judged by the checkers of its own workload, composed as the run composed them; any other
 * history, or any file given with --model, by the linearizability checker; `--checker` names another
 * (transactional list-append and rw-register, set, counter, bank, long-fork, convergence, unique-ids; see
 * check-other.ts), and a transactional or bank history is recognised from its ops.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, ReadLimitError, type ReadGuard } from '../../../histories/errors.js';
import { loadOpened, openHistory, streamHistory } from '../../../histories/load.js';
import { checkPairing } from '../../../histories/well-formed.js';
import { elideReadValue, type CheckContext, type Checker } from '../../../checkers/checker.js';
import { checkLinearizable, defaultMaxMemory } from '../../../checkers/linear/index.js';
import { readGuard } from '../read-guard.js';
import { MODELS } from '../../../checkers/models/index.js';
import { detectModel, inferInitial, type Detected } from '../../../checkers/models/detect.js';
import type { Op } from '../../../histories/op.js';
import { EXIT, exitCodeFor, type CheckResult } from '../../../checkers/result.js';
import { bold, dim, printJson, println, verdictWord, warn } from '../output.js';
import { describeError } from '../errors.js';
import { renderLinearResult } from '../../report/linear-text.js';
import { checkProgress } from '../check-progress.js';
import { checkBigSet } from './check-big-set.js';
import { CHECKER_NAMES, otherChecker, parseOtherFlags, pickChecker, renderOtherResult, type OtherFlags } from './check-other.js';

export interface CheckOptions extends OtherFlags {
  checker?: string;
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

function noLinearModel(path: string, workload: string, why: string): InputError {
  return new InputError(`${path}: a ${workload} history has no datatype to check for linearizability (${why})`);
}

/**
 * What a stored run or a workload's name needs (run.json, the workloads, the targets and the run's checkers),
 * loaded only then: an imported history is checked without them, and loading them costs more than a small check.
 */
async function runModules() {
  const [store, target, workloads, checkRun, targets] = await Promise.all([
    import('../../../histories/store.js'),
    import('../../target.js'),
    import('../../workloads/index.js'),
    import('../../check-run.js'),
    import('../../../targets/index.js'),
  ]);
  return { readMeta: store.readMeta, promiseOf: target.promiseOf, workloadOf: workloads.workloadOf, checkRunStream: checkRun.checkRunStream, loadTarget: targets.loadTarget };
}

function storedRunDir(path: string): string | undefined {
  return existsSync(path) && statSync(path).isDirectory() && existsSync(join(path, 'run.json')) ? path : undefined;
}

/** With --model on a stored run: the workload's model; an imported history's model is read off its op names. */
async function defaultModel(path: string, ops: readonly Op[]): Promise<Detected<string>> {
  const dir = storedRunDir(path);
  if (dir) {
    const { readMeta, workloadOf } = await runModules();
    const w = readMeta(dir).config.workload;
    const lm = workloadOf(w).linearModel;
    if ('none' in lm) throw noLinearModel(path, w, lm.none);
    return { value: lm.model, reason: `the run's ${w} workload` };
  }
  const stateless = ops.find((op) => (op.f === 'generate' || op.f === 'echo') && typeof op.process === 'number');
  if (stateless) {
    const { workloadOf } = await runModules();
    const w = stateless.f === 'echo' ? workloadOf('echo') : workloadOf('unique-ids');
    throw noLinearModel(path, w.name, 'none' in w.linearModel ? w.linearModel.none : '');
  }
  return detectModel(ops);
}

/** The answer of a check whose history could not be read within the budget, or held by the engine. */
function readLimitResult(checker: string, err: ReadLimitError): CheckResult {
  return { checker, valid: 'unknown', anomalies: [], reason: err.message, stats: { limit: 'memory', phase: 'read' } };
}

function engineLimitResult(checker: string, reason: string): CheckResult {
  return { checker, valid: 'unknown', anomalies: [], reason, stats: { limit: 'size' } };
}

/**
 * Sizes past which the JS engine itself refuses to grow a table, or to allocate at all: a Map or Set of 2^24
 * entries, an array, a string (~512 MB), a Buffer (4 GiB), an ArrayBuffer. Any of them met while reading or
 * checking a well-formed history is a limit of this checker, not bad input: the answer is `unknown` with the
 * engine's words, never a crash (exit 255).
 */
const ENGINE_LIMIT = /^(?:Map maximum size exceeded|Set maximum size exceeded|Invalid array length|Invalid string length|Invalid typed array length|Array buffer allocation failed|Cannot create a Buffer larger than)/;

function engineLimit(err: unknown): string | undefined {
  // Any Error: a RangeError thrown in a worker thread arrives as a plain Error with the same message.
  if (!(err instanceof Error)) return undefined;
  if (!ENGINE_LIMIT.test(err.message) && (err as NodeJS.ErrnoException).code !== 'ERR_STRING_TOO_LONG') return undefined;
  return `size: the history is larger than the JS engine lets one table or value of the check be (${err.message})`;
}

/** A stored run, re-checked by its workload's own checkers under the promise its target gives its config. */
async function checkStoredRun(dir: string, opts: CheckOptions, timeoutS: number | undefined, guard: ReadGuard): Promise<number> {
  const t0 = performance.now();
  const { readMeta, loadTarget, promiseOf, checkRunStream } = await runModules();
  const meta = readMeta(dir);
  const target = await loadTarget(meta.config.target);
  const promise = promiseOf(target, meta.config.config, meta.config.workload);
  // Streamed: a set run's whole-set reads are consumed op by op and never held (see checkRunStream).
  const h = await streamHistory(dir, { independent: 'auto', guard });
  const agreement = target.agreeing?.includes(meta.config.config) === true;
  const check = await checkRunStream(h.ops, meta.config, { promise, agreement, linearTimeoutMs: timeoutS === undefined ? undefined : timeoutS * 1000 });
  for (const w of h.warnings) warn(w);
  const ops = check.ops;
  if (ops.length === 0) throw new InputError(`${dir}: the run's history is empty`);
  checkPairing(ops);
  const ms = Math.round(performance.now() - t0);
  if (opts.json) {
    printJson({
      file: dir,
      valid: check.valid,
      ops: ops.length,
      ms,
      workload: meta.config.workload,
      promise,
      checkers: check.results.map((r) => ({ ...r, enforced: check.enforced.includes(r.checker) })),
      cap: check.cap.sentence,
    });
  } else {
    println(`${bold(dir)}: ${verdictWord(check.valid)} ${dim(`(${ops.length} ops, ${ms} ms; ${meta.config.workload} workload, ${promise} promise)`)}`);
    for (const r of check.results) {
      const held = check.enforced.includes(r.checker) ? '' : dim(' (reported, not enforced)');
      println(`  ${r.checker}: ${verdictWord(r.valid)}${held}`);
      const detail = renderLinearResult(r, 2);
      if (detail) println(detail);
    }
    println(dim(`  CAP: ${check.cap.sentence}`));
  }
  return exitCodeFor(check.valid);
}

/**
 * One named checker over a history that may stream: fed op by op when it streams, else given the ops (long
 * client-read answers dropped when it never reads them). Bad input throws, as a whole-history check does.
 */
async function checkStreamed(checker: Checker, source: AsyncIterable<Op> | Op[], ctx: CheckContext): Promise<{ result: CheckResult; ops: number }> {
  let n = 0;
  if (checker.stream) {
    const sink = checker.stream(ctx);
    for await (const op of source) {
      sink.push(op);
      n++;
    }
    if (n === 0) return { result: { checker: checker.name, valid: 'unknown', anomalies: [], stats: {} }, ops: 0 };
    return { result: await sink.finish(), ops: n };
  }
  const kept: Op[] = [];
  for await (const op of source) kept.push(checker.clientReadValues === false ? elideReadValue(op) : op);
  if (kept.length === 0) return { result: { checker: checker.name, valid: 'unknown', anomalies: [], stats: {} }, ops: 0 };
  checkPairing(kept);
  return { result: await checker.check(kept, ctx), ops: kept.length };
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
  if (opts.checker !== undefined && !CHECKER_NAMES.includes(opts.checker)) {
    throw new InputError(`unknown checker "${opts.checker}"; checkers: ${CHECKER_NAMES.join(', ')}`);
  }
  if (opts.checker !== undefined && opts.checker !== 'linearizable' && opts.model !== undefined) {
    throw new InputError(`--model applies to --checker linearizable, not ${opts.checker}`);
  }
  const other = parseOtherFlags(opts);
  const guard = readGuard(maxMemoryMb === undefined ? defaultMaxMemory() : maxMemoryMb * 2 ** 20);

  let invalid = 0;
  let unknown = 0;
  let bad = 0;
  for (const file of files) {
    const stored = opts.model === undefined && opts.checker === undefined ? storedRunDir(file) : undefined;
    if (stored) {
      try {
        const code = await checkStoredRun(stored, opts, timeoutS, guard);
        if (code === EXIT.invalid) invalid++;
        else if (code === EXIT.unknown) unknown++;
      } catch (err) {
        const engine = engineLimit(err);
        if (err instanceof ReadLimitError || engine !== undefined) {
          unknown++;
          const r = engine !== undefined ? engineLimitResult('run', engine) : readLimitResult('run', err as ReadLimitError);
          if (opts.json) printJson({ file, ...r });
          else println(`${bold(file)}: ${verdictWord(r.valid)}\n${renderOtherResult(r)}`);
          continue;
        }
        if (!(err instanceof InputError)) throw err;
        bad++;
        if (opts.json) printJson({ file, valid: null, error: err.describe() });
        else println(`${bold(file)}: ${describeError(err)}`);
      }
      continue;
    }
    const t0 = performance.now();
    let result: CheckResult;
    let ops = 0;
    let chosen: { model?: string; modelReason?: string; initial?: unknown; initialReason?: string; checker?: string; checkerReason?: string } = {};
    try {
      if (opts.checker !== undefined && opts.checker !== 'linearizable') {
        // A named checker reads the file as it streams: set checkers consume it op by op, never holding it.
        chosen = { checker: opts.checker };
        const h = await streamHistory(file, { independent: opts.independent ?? 'auto', guard });
        const ctx = { nodes: [], promise: 'CP' as const, timeoutMs: timeoutS === undefined ? undefined : timeoutS * 1000 };
        const streamed = await checkStreamed(await otherChecker(opts.checker, other), h.ops, ctx);
        for (const w of h.warnings) warn(w);
        if (streamed.ops === 0) throw new InputError('the file holds no history (it is empty)');
        ops = streamed.ops;
        result = streamed.result;
      } else {
        const src = await openHistory(file, guard);
        // A set history too large to hold is streamed to the set checker (check-big-set.ts), unless one is named.
        const big = opts.checker === undefined && opts.model === undefined ? await checkBigSet(src, opts.independent ?? 'auto', undefined, guard) : undefined;
        if (big) {
          for (const w of big.warnings) warn(w);
          ops = big.ops;
          result = big.result;
          chosen = { checker: big.checker, checkerReason: big.reason };
        } else {
          const h = await loadOpened(src, { independent: opts.independent ?? 'auto', guard });
          if (h.ops.length === 0) throw new InputError('the file holds no history (it is empty)');
          for (const w of h.warnings) warn(w);
          ops = h.ops.length;
          const picked = opts.checker ?? (opts.model === undefined ? pickChecker(h.ops) : undefined);
          if (picked !== undefined && picked !== 'linearizable') {
            chosen = { checker: picked, ...(opts.checker === undefined ? { checkerReason: 'read off the ops' } : {}) };
            result = await (await otherChecker(picked, other)).check(h.ops, { nodes: [], promise: 'CP', timeoutMs: timeoutS === undefined ? undefined : timeoutS * 1000 });
          } else {
            const detected = opts.model === undefined ? await defaultModel(file, h.ops) : undefined;
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
          }
        }
      }
    } catch (err) {
      const engine = engineLimit(err);
      if (err instanceof ReadLimitError) {
        result = readLimitResult(chosen.checker ?? 'linearizable', err);
      } else if (engine !== undefined) {
        result = engineLimitResult(chosen.checker ?? 'linearizable', engine);
      } else {
        if (!(err instanceof InputError)) throw err;
        bad++;
        if (opts.json) printJson({ file, valid: null, error: err.describe() });
        else println(`${bold(file)}: ${describeError(err)}`);
        continue;
      }
    }
    const ms = Math.round(performance.now() - t0);
    if (result.valid === false) invalid++;
    else if (result.valid === 'unknown') unknown++;
    if (opts.json) {
      if (chosen.checker) printJson({ file, ops, ms, ...chosen, ...result });
      else printJson({ file, valid: result.valid, ops, ms, ...chosen, reason: result.reason, note: result.note, anomalies: result.anomalies, stats: result.stats });
    } else if (chosen.checker) {
      const note = typeof result.note === 'string' ? `; ${result.note}` : '';
      println(`${bold(file)}: ${verdictWord(result.valid)} ${dim(`(${result.checker}, ${ops} ops, ${ms} ms${note})`)}`);
      if (chosen.checkerReason) println(dim(`  checker ${chosen.checker}: ${chosen.checkerReason} (--checker to choose)`));
      const detail = renderOtherResult(result);
      if (detail) println(detail);
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
