/**
 * One run, end to end: up, healthy, main (clients + nemesis), heal, quiescence, final reads, teardown, check.
 * Every phase is bounded in time and fails with an error naming the phase (and the node, where one is to
 * blame); teardown runs whatever happened before it, including on Ctrl-C.
 */
import { FINAL_READ, FINAL_READS_DONE, HEAL } from '../histories/conventions.js';
import { NEMESIS } from '../histories/op.js';
import { rmSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { InputError } from '../histories/errors.js';
import { JsonlWriter } from '../histories/jsonl-writer.js';
import { streamJsonl } from '../histories/jsonl-reader.js';
import { gzipInPlace } from '../histories/compressed.js';
import type { RunConfig, RunMeta, RunResults } from '../histories/run-record.js';
import { createRunDir, releaseRunId, runPaths, writeMeta, writeResults } from '../histories/store.js';
import { composeValidity, type Validity } from '../checkers/result.js';
import { checkRunStream, type RunCheck } from './check-run.js';
import { judgeTargets, netStats, StableLatencyStream } from './net-stats.js';
import type { NetCounts } from './sim/net-tally.js';
import { ClientRunner } from './clients.js';
import { finalReads, type FinalReadSummary } from './final-reads.js';
import { recordReplicaLogs } from './replica-logs.js';
import { NemesisRunner } from './nemesis/runner.js';
import { planFaults, faultValue } from './nemesis/schedule.js';
import { faultNames } from './faults/index.js';
import { Recorder } from './recorder.js';
import { promiseOf, type Cluster, type Target } from './target.js';
import { workloadOf } from './workloads/index.js';
import { sleep, unlessAborted, withTimeout } from './time.js';
import { packageVersion } from './version.js';
import { writeReportFor } from './report/html/write-report.js';
import { availabilityStrip, type AvailabilityStrip } from './report/availability-strip.js';

const VERSION = packageVersion();

export type Phase = 'up' | 'healthy' | 'main' | 'heal' | 'quiescence' | 'final-reads' | 'teardown' | 'check';

export class PhaseError extends Error {
  constructor(
    readonly phase: Phase,
    message: string,
  ) {
    super(`phase ${phase}: ${message}`);
    this.name = 'PhaseError';
  }
}

/** What the controller tells the terminal as it goes. */
export interface RunObserver {
  phase?(phase: Phase, detail?: string): void;
  /** Called a few times a second during main and quiescence. */
  tick?(s: { phase: Phase; elapsedS: number; totalS: number; ok: number; fail: number; info: number; faults: string[] }): void;
}

export interface RunRequest {
  /** The system under test, as a value: the CLI (the composition root) picks it, the harness never imports targets. */
  target: Target;
  config: RunConfig;
  store: string;
  signal?: AbortSignal;
  observer?: RunObserver;
  /** Keep the nodes' data directories (removed at the end of a run by default; node logs always stay). */
  keepData?: boolean;
}

export interface RunOutcome {
  dir: string;
  meta: RunMeta;
  results: RunResults;
  check: RunCheck;
  finals: FinalReadSummary;
  valid: Validity;
  /** report.html, when it could be written (a failure to draw never costs the verdict). */
  report?: { path: string; ms: number; bytes: number; strip: AvailabilityStrip | null };
  /** The stored history (gzipped once the run is checked). */
  history: string;
}

export function testName(c: RunConfig): string {
  return [c.target, c.config, c.bug, c.workload].filter(Boolean).join('-');
}

const BOUNDS = { upMs: 60_000, healthyMs: 30_000, teardownMs: 30_000 };

/** A bounded phase; with a signal, a Ctrl-C ends the wait at once (teardown then stops what it waited on). */
async function phase<T>(name: Phase, ms: number, what: Promise<T>, signal?: AbortSignal): Promise<T> {
  try {
    return await unlessAborted(withTimeout(what, ms, name), signal, () => new PhaseError(name, 'interrupted'));
  } catch (err) {
    if (err instanceof PhaseError || err instanceof InputError) throw err;
    throw new PhaseError(name, (err as Error).message);
  }
}

/**
 * How many faults the seeded schedule holds, said when it differs from what the flags suggest: a run shorter
 * than the nemesis interval may plan none, and a newcomer should not have to learn that from "0 faults".
 */
function faultsPlanned(config: RunConfig, planned: number): string {
  if (config.nemesis.length === 0) return '';
  if (planned > 0) return ` (${planned} planned)`;
  return ` (no fault fits this seed's schedule: the first would start after the ${config.timeLimit} s time limit; lower --nemesis-interval, now ${config.nemesisInterval} s, or raise --time-limit)`;
}

export async function runTest(req: RunRequest): Promise<RunOutcome> {
  const { config, observer } = req;
  const target: Target = req.target;
  if (target.name !== config.target) throw new InputError(`the run asks for target ${config.target} but was handed ${target.name}`);
  const { dir } = createRunDir(req.store, testName(config));
  const paths = runPaths(dir);
  const logger: Logger = pino({ level: 'debug', base: { run: dir } }, pino.destination({ dest: paths.log, sync: true }));
  const nodes = Array.from({ length: config.nodes }, (_, i) => `n${i + 1}`);
  const faults = faultNames(config.nemesis);
  const plan = planFaults({
    seed: config.seed,
    nodes,
    faults: config.nemesis,
    interval: config.nemesisInterval,
    timeLimit: config.timeLimit,
    traitors: config.traitors,
    byzantineClients: config.byzantineClients,
  });
  const meta: RunMeta = {
    id: dir.split('/').pop()!,
    test: testName(config),
    startedAt: new Date().toISOString(),
    status: 'running',
    seed: config.seed,
    config,
    versions: { faultline: VERSION, node: process.version },
    faultSchedule: plan.flatMap((p) => [
      { at: p.startAt, f: `start-${p.fault.kind}`, value: faultValue(p.fault) },
      { at: p.stopAt, f: `stop-${p.fault.kind}`, value: faultValue(p.fault) },
    ]),
  };
  writeMeta(dir, meta);
  logger.info({ config }, 'run starting');

  const origin = performance.now();
  const writer = new JsonlWriter(paths.history);
  const recorder = new Recorder(writer, origin);
  let cluster: Cluster | undefined;
  let netCounts: NetCounts | undefined;
  let logNotes: string[] = [];
  let leftovers: string[] = [];
  let finals: FinalReadSummary = { converged: false, rounds: 0, boundMs: config.convergenceBound * 1000 };
  const aborted = () => req.signal?.aborted === true;
  // A node the harness cuts off (see protocolBreaches) ends the waits of up, healthy and final reads at once,
  // as a Ctrl-C does, instead of letting them run into their time bounds.
  const broken = new AbortController();
  const breachesNow = (): string[] => cluster?.runtime.protocolBreaches?.() ?? [];
  const breachWatch = setInterval(() => breachesNow().length > 0 && broken.abort(), 200);
  const stopSignal = req.signal ? AbortSignal.any([req.signal, broken.signal]) : broken.signal;

  try {
    // 1. up
    observer?.phase?.('up', `${config.nodes} ${target.name} nodes (${config.config}) on ${config.runtime}`);
    cluster = await phase(
      'up',
      BOUNDS.upMs,
      target.create({
        runId: meta.id,
        nodes,
        config: config.config,
        bug: config.bug,
        workload: config.workload,
        keys: config.keys,
        latencyMs: config.latency,
        topology: config.topology,
        logStderr: config.logStderr,
        nodeLogMax: config.nodeLogMax,
        dataDir: paths.data,
        logDir: paths.nodeLogs,
        seed: config.seed,
        logger,
        runtime: config.runtime,
        faults,
        bin: config.bin,
        image: config.image,
        hosts: config.hosts,
        isolation: config.isolation,
      }),
    );
    const c = cluster;
    await phase('up', BOUNDS.upMs, c.runtime.start(), stopSignal);
    meta.versions = { ...meta.versions, ...(await c.versions().catch(() => ({}))) };
    writeMeta(dir, meta);

    // 2. healthy
    observer?.phase?.('healthy');
    await phase('healthy', BOUNDS.healthyMs, c.awaitHealthy(BOUNDS.healthyMs - 1000), stopSignal);
    if (aborted()) throw new PhaseError('healthy', 'interrupted');

    // 3. main: clients and nemesis together
    observer?.phase?.('main', `${config.timeLimit} s, ${config.concurrency} clients, nemesis ${config.nemesis.join(',') || 'none'}${faultsPlanned(config, plan.length)}`);
    const clients = new ClientRunner({
      cluster: c,
      nodes,
      generator: {
        workload: config.workload,
        keys: config.keys,
        seed: config.seed,
        minTxnLength: config.minTxnLength,
        maxTxnLength: config.maxTxnLength,
        maxWritesPerKey: config.maxWritesPerKey,
      },
      concurrency: config.concurrency,
      recorder,
      opTimeoutMs: config.opTimeout * 1000,
      rate: config.rate,
      maxOps: config.maxOps,
      logger,
    });
    // Windows aimed at a role ask the cluster who holds it when they start (harness/faults/fault.ts).
    const roles = c.roles ? () => c.roles!(3000) : undefined;
    const nemesis = new NemesisRunner(c.runtime, (f, v, e) => recorder.nemesis(f, v, e), logger, roles);
    const mainStart = performance.now();
    const totalS = config.timeLimit + config.quiescence;
    let current: Phase = 'main';
    const ticker = setInterval(() => {
      observer?.tick?.({
        phase: current,
        elapsedS: (performance.now() - mainStart) / 1000,
        totalS,
        ok: recorder.counts.ok,
        fail: recorder.counts.fail,
        info: recorder.counts.info,
        faults: nemesis.inForce(),
      });
    }, 250);
    const stopMain = new AbortController();
    const onAbort = () => stopMain.abort();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    // A node cut off mid-run (an endless line, runaway output) ends the main phase at once: the rest of the
    // time limit could only add ops that fail for a reason outside the test.
    broken.signal.addEventListener('abort', onAbort, { once: true });
    const clientsDone = clients.run();
    try {
      const nemesisDone = nemesis.run(plan, mainStart, stopMain.signal);
      await sleep(config.timeLimit * 1000, stopMain.signal);
      stopMain.abort();
      await nemesisDone;

      // 4. heal, then 5. quiescence with clients still running
      current = 'heal';
      observer?.phase?.('heal');
      await phase('heal', 30_000, nemesis.healAll());
      recorder.nemesis(HEAL, null);
      if (!aborted() && !broken.signal.aborted) {
        current = 'quiescence';
        observer?.phase?.('quiescence', `${config.quiescence} s without faults`);
        await sleep(config.quiescence * 1000, stopSignal);
      }
    } finally {
      clients.stop();
      req.signal?.removeEventListener('abort', onAbort);
      broken.signal.removeEventListener('abort', onAbort);
      await phase('quiescence', config.opTimeout * 1000 + 10_000, clientsDone).finally(() => clearInterval(ticker));
      if (current === 'main') await nemesis.healAll().catch(() => undefined);
    }
    if (aborted()) throw new PhaseError('main', 'interrupted');
    if (broken.signal.aborted) throw new PhaseError(current, 'stopped early: a node broke the protocol');

    // 6. final reads
    observer?.phase?.('final-reads');
    // A unique-ids node keeps nothing to read back: its check needs only the ids the clients got.
    const keys = workloadOf(config.workload).finalState ? Array.from({ length: config.keys }, (_, i) => i) : [];
    finals = await phase(
      'final-reads',
      config.convergenceBound * 1000 + 30_000,
      finalReads({
        cluster: c,
        nodes,
        keys,
        recorder,
        boundMs: config.convergenceBound * 1000,
        readTimeoutMs: Math.min(2000, config.opTimeout * 1000),
        // A topology run measures how fast the graph spreads a write: look often, so the time is sharp.
        ...(config.topology ? { gapMs: 20 } : {}),
        signal: stopSignal,
      }),
      stopSignal,
    );
    recorder.nemesis(FINAL_READS_DONE, finals);
    await phase('final-reads', 10_000, recordReplicaLogs(c, nodes, recorder, 5000), stopSignal);
  } catch (err) {
    meta.status = aborted() ? 'interrupted' : 'failed';
    const breaches = breachesNow();
    if (breaches.length > 0 && !aborted()) {
      // Not the harness failing and not the system being wrong: the run cannot be judged (exit 2, unknown).
      const where = err instanceof PhaseError ? ` (the run stopped in phase ${err.phase})` : ` (${(err as Error).message})`;
      const message = `the run is unknown: a node broke the protocol and was cut off: ${breaches.join('; ')}${where}`;
      meta.error = message;
      logger.error({ breaches }, 'run failed: node broke the protocol');
      throw Object.assign(new Error(message), { exitCode: 2 });
    }
    meta.error = (err as Error).message;
    logger.error({ err: (err as Error).message }, 'run failed');
    throw err;
  } finally {
    clearInterval(breachWatch);
    // 7. teardown, whatever happened
    observer?.phase?.('teardown');
    writer.close();
    netCounts = cluster?.runtime.messageCounts?.();
    if (cluster) {
      await phase('teardown', BOUNDS.teardownMs, cluster.runtime.teardown()).catch((err) => {
        logger.error({ err: (err as Error).message }, 'teardown failed');
        meta.error = [meta.error, (err as Error).message].filter(Boolean).join('; ');
      });
      logNotes = cluster.runtime.logNotes?.() ?? [];
      leftovers = cluster.runtime.leftovers?.() ?? [];
    }
    // The nodes' data directories are most of a run's weight (617 MB of 633 MB for a 120 s etcd run) and
    // nothing reads them after the run; the node logs stay.
    if (!req.keepData) {
      try {
        rmSync(paths.data, { recursive: true, force: true });
      } catch (err) {
        logger.warn({ err: (err as Error).message }, 'could not remove the nodes\' data directories');
      }
    }
    meta.finishedAt = new Date().toISOString();
    // A Ctrl-C after the final reads (during teardown) still means the run was not seen through.
    if (meta.status === 'running') meta.status = aborted() ? 'interrupted' : 'done';
    writeMeta(dir, meta);
    logger.flush?.();
    // The id stays claimed while anything named after it may remain (see createRunDir).
    if (leftovers.length === 0) releaseRunId(meta.id);
  }
  if (aborted()) throw new PhaseError('teardown', 'interrupted');

  // 8. check, from the history as stored; a Ctrl-C here leaves the run interrupted, never judged.
  observer?.phase?.('check');
  let check: RunCheck;
  let ops;
  // Set-like runs measure stable latency as the history streams past: the ops kept afterwards lose their long
  // whole-set read answers (checkRunStream), so an unthrottled set run is never held whole.
  const setLike = config.workload === 'broadcast' || (config.workload === 'set' && config.keys === 1);
  const stable = setLike ? new StableLatencyStream() : undefined;
  try {
    const streamed = await unlessAborted(
      checkRunStream(
        streamJsonl(paths.history),
        config,
        { promise: promiseOf(target, config.config, config.workload), agreement: target.agreeing?.includes(config.config) },
        stable ? [stable] : [],
      ),
      req.signal,
      () => new PhaseError('check', 'interrupted'),
    );
    ops = streamed.ops;
    check = streamed;
  } catch (err) {
    if (aborted()) {
      meta.status = 'interrupted';
      meta.error = (err as Error).message;
      writeMeta(dir, meta);
    }
    throw err;
  }
  // A node the harness had to cut off (an endless line, runaway output) leaves a history that cannot be judged:
  // its clients' ops failed for a reason outside the test. The run is unknown, never invalid, and names the node.
  const breaches = cluster?.runtime.protocolBreaches?.() ?? [];
  if (breaches.length > 0) {
    const reason = `a node broke the protocol and was cut off: ${breaches.join('; ')}`;
    check = {
      ...check,
      valid: 'unknown',
      enforced: [...check.enforced, 'node-protocol'],
      results: [...check.results, { checker: 'node-protocol', valid: 'unknown', anomalies: [{ kind: 'protocol-breach', message: reason }], stats: { breaches: breaches.length }, reason }],
    };
  }
  // Network statistics, and the run's own targets on them, judged like any other enforced checker.
  const net = netStats(ops, netCounts, { setLike, stable: stable?.finish() });
  const targets = judgeTargets(net, { maxMsgsPerOp: config.maxMsgsPerOp, maxMedianLatencyMs: config.maxMedianLatency });
  if (targets) {
    check.results.push(targets);
    check.enforced.push(targets.checker);
    check.valid = composeValidity([check.valid, targets.valid]);
  }
  const clientOps = ops.filter((o) => typeof o.process === 'number' && o.type === 'invoke' && o.f !== FINAL_READ).length;
  // A fault step that failed (above all a heal whose host went away and came back before teardown) is in the
  // history only as an op with an error; the summary names it so that the printed run says so too.
  const faultErrors = ops
    .filter((o) => o.process === NEMESIS && o.error !== undefined)
    // The error may carry a host's output: one line, no control characters, when a terminal prints it.
    // eslint-disable-next-line no-control-regex
    .map((o) => `${o.f}${o.time === undefined ? '' : ` at ${(o.time / 1e9).toFixed(1)} s`}: ${String(o.error).replace(/[\u0000-\u001f\u007f]+/g, ' ')}`);
  const durationS = config.timeLimit + config.quiescence;
  const results: RunResults = {
    valid: check.valid,
    checkers: check.results.map((r) => ({ ...r, enforced: check.enforced.includes(r.checker) })),
    summary: {
      ops: ops.length,
      clientOps,
      faults: recorder.counts.faults,
      durationS,
      opsPerSec: clientOps / durationS,
      cap: check.cap.sentence,
      firstOpAfterS: recorder.firstOpAtMs === undefined ? undefined : (recorder.firstOpAtMs - origin) / 1000,
      net,
      ...(logNotes.length > 0 ? { nodeLogs: logNotes } : {}),
      ...(leftovers.length > 0 ? { leftovers } : {}),
      ...(faultErrors.length > 0 ? { faultErrors } : {}),
    },
  };
  writeResults(dir, results);
  logger.info({ valid: check.valid }, 'run checked');

  // 9. report.html, then the history gzipped: every command reads both forms.
  let report: RunOutcome['report'];
  try {
    const w = writeReportFor(paths.report, { meta, results, ops, source: paths.historyGz });
    report = { path: w.path, ms: w.ms, bytes: w.bytes, strip: availabilityStrip(w.data) };
    logger.info({ ms: Math.round(w.ms), bytes: w.bytes }, 'report written');
  } catch (err) {
    logger.error({ err: (err as Error).stack }, 'report.html could not be written');
  }
  let history = paths.history;
  try {
    history = await gzipInPlace(paths.history);
  } catch (err) {
    logger.error({ err: (err as Error).message }, 'history could not be compressed; it stays as history.jsonl');
  }
  return { dir, meta, results, check, finals, valid: check.valid, report, history };
}
