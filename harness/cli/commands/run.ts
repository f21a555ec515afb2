/** `faultline run` and `faultline compare`: options, progress on the terminal, the summary at the end. */
import cliProgress from 'cli-progress';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { InputError } from '../../../histories/errors.js';
import { RunConfigSchema, type RunConfig } from '../../../histories/run-record.js';
import { composeValidity, EXIT, exitCodeFor } from '../../../checkers/result.js';
import { loadTarget } from '../../../targets/index.js';
import { runTest, type RunObserver, type RunOutcome } from '../../controller.js';
import { randomSeed } from '../../rng.js';
import { compareRowFrom, renderCompareTable } from '../../report/compare-table.js';
import { bold, dim, printJson, println, verdictWord } from '../output.js';
import { renderLinearResult } from '../../report/linear-text.js';
import { renderCompareHtml } from '../../report/html/compare-page.js';
import { BYZANTINE_KINDS, isByzantineKind } from '../../faults/byzantine.js';
import { AIMED_NAMES, FAULT_GROUPS, FAULT_NAMES, faultOf, faultNames, isFaultName, nemesisChoice, whyNot } from '../../faults/index.js';
import { RUNTIME_SUPPORTS } from '../../runtimes.js';
import { parseTopologyName } from '../../topology.js';
import { topologyCompare } from './topology-compare.js';
import { workloadOf } from '../../workloads/index.js';
import { netLine, type NetStats } from '../../net-stats.js';
import { parseConsistencyModels } from '../../../checkers/txn/models.js';
import { TXN_DEFAULTS } from '../../workloads/txn-ops.js';

import { MAELSTROM_DEFAULTS } from './run-options.js';
import { loadHosts } from '../../ssh/hosts.js';
import { promiseOf } from '../../target.js';

export { addRunOptions } from './run-options.js';

export interface RunFlags {
  target: string;
  config?: string;
  configs?: string;
  bug?: string;
  bin?: string;
  image?: string;
  isolation?: string;
  runtime?: string;
  hosts?: string;
  nodes: string;
  workload: string;
  keys: string;
  concurrency?: string;
  rate?: string;
  timeLimit: string;
  nemesis: string;
  nemesisInterval: string;
  opTimeout: string;
  quiescence: string;
  convergenceBound: string;
  maxOps: string;
  traitors?: string;
  topologies?: string;
  byzantineClients?: boolean;
  seed?: string;
  store: string;
  json?: boolean;
  progress?: boolean;
  keepData?: boolean;
  nodeCount?: string;
  latency?: string;
  topology?: string;
  maxMsgsPerOp?: string;
  maxMedianLatency?: string;
  availability?: string;
  logStderr?: boolean;
  nodeLogMax?: string;
  minTxnLength?: string;
  maxTxnLength?: string;
  maxWritesPerKey?: string;
  consistencyModels?: string;
  sequentialKeys?: boolean;
  linearizableKeys?: boolean;
}


function num(name: string, text: string, integer = false): number {
  const n = Number(text);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new InputError(`${name} must be a ${integer ? 'whole ' : ''}number, got "${text}"`);
  return n;
}

/**
 * Ops per second: what --rate says, `unlimited` for no limit, and when it is not given Maelstrom's 5/s for a
 * Maelstrom node (a user's node is written for that load, as under `faultline test`), the workload's own
 * default (set and broadcast: 100/s, see SET_LIKE_RATE) and otherwise no limit.
 */
function rateFrom(text: string | undefined, target: string, workload: RunConfig['workload']): number | undefined {
  if (text === undefined) return target === 'maelstrom' ? Number(MAELSTROM_DEFAULTS.rate) : workloadOf(workload).defaultRate;
  if (text === 'unlimited') return undefined;
  const n = num('--rate', text);
  if (n <= 0) throw new InputError(`--rate must be above 0 ops per second, or unlimited; got "${text}"`);
  return n;
}

const TXN_FLAGS = ['minTxnLength', 'maxTxnLength', 'maxWritesPerKey', 'consistencyModels', 'sequentialKeys', 'linearizableKeys'] as const;

/**
 * The txn workloads' options, refused by name on any other workload. `--sequential-keys` and
 * `--linearizable-keys` let the rw-register checker assume something of each key; only a CP promise (every
 * key linearizable, hence sequential) justifies that, and list-append reads need neither.
 */
function txnOptions(f: RunFlags, workload: RunConfig['workload'], promise: 'CP' | 'AP', what: string): Partial<RunConfig> {
  const given = TXN_FLAGS.filter((k) => f[k] !== undefined);
  if (!workload.startsWith('txn-')) {
    if (given.length > 0) throw new InputError(`--${flagName(given[0])} applies to the txn workloads (txn-list-append, txn-rw-register) only, not ${workload}`);
    return {};
  }
  const out: Partial<RunConfig> = {};
  if (f.minTxnLength !== undefined) out.minTxnLength = num('--min-txn-length', f.minTxnLength, true);
  if (f.maxTxnLength !== undefined) out.maxTxnLength = num('--max-txn-length', f.maxTxnLength, true);
  if (f.maxWritesPerKey !== undefined) out.maxWritesPerKey = num('--max-writes-per-key', f.maxWritesPerKey, true);
  if ((out.minTxnLength ?? TXN_DEFAULTS.minTxnLength) > (out.maxTxnLength ?? TXN_DEFAULTS.maxTxnLength)) {
    throw new InputError(`--min-txn-length ${out.minTxnLength ?? TXN_DEFAULTS.minTxnLength} is more than --max-txn-length ${out.maxTxnLength ?? TXN_DEFAULTS.maxTxnLength}`);
  }
  if (f.consistencyModels !== undefined) out.consistencyModels = parseConsistencyModels(f.consistencyModels);
  const assumed = (['sequentialKeys', 'linearizableKeys'] as const).filter((k) => f[k] === true);
  if (assumed.length > 0) {
    const flag = `--${flagName(assumed[0])}`;
    if (workload !== 'txn-rw-register') throw new InputError(`${flag} applies to txn-rw-register only: list-append reads reveal the whole version order`);
    if (promise !== 'CP') throw new InputError(`${flag} assumes every key of ${what} is ${assumed[0] === 'sequentialKeys' ? 'sequentially consistent' : 'linearizable'}, but it promises AP: the checker would infer orders the system never promised`);
    for (const k of assumed) out[k] = true;
  }
  return out;
}

const flagName = (k: string): string => k.replace(/[A-Z]/g, (m) => '-' + m.toLowerCase());


/** Maelstrom's --availability: `total` is every op; else a share of ops in (0, 1]. */
function availabilityFrom(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (text === 'total') return 1;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n > 1) throw new InputError(`--availability must be total or a share of ops above 0 and at most 1, got "${text}"`);
  return n;
}

/** Clients: --concurrency N, or Maelstrom's `Kn` (K per node); one per node when not given. */
function concurrencyFrom(f: RunFlags): number {
  const nodes = num(f.nodeCount !== undefined ? '--node-count' : '--nodes', f.nodeCount ?? f.nodes, true);
  if (f.concurrency === undefined) return nodes;
  const perNode = /^(\d+)n$/.exec(f.concurrency.trim());
  return perNode ? Number(perNode[1]) * nodes : num('--concurrency', f.concurrency, true);
}

export async function resolveConfig(f: RunFlags, configName?: string): Promise<RunConfig> {
  const target = await loadTarget(f.target);
  const config = configName ?? f.config ?? target.defaultConfig;
  if (!target.configs.includes(config)) {
    throw new InputError(`target ${target.name} has no config "${config}"; configs: ${target.configs.join(', ')}`);
  }
  if (f.bug !== undefined && !target.bugs.includes(f.bug)) {
    throw new InputError(`target ${target.name} has no bug "${f.bug}"${target.bugs.length ? `; bugs: ${target.bugs.join(', ')}` : ''}`);
  }
  const workload = f.workload as RunConfig['workload'];
  if (!target.workloads.includes(workload)) {
    throw new InputError(`target ${target.name} does not support workload ${workload}; workloads: ${target.workloads.join(', ')}`);
  }
  if (f.isolation !== undefined) {
    const levels = target.isolationLevels ?? [];
    if (levels.length === 0) throw new InputError(`target ${target.name} has no isolation levels; --isolation applies to SQL targets (postgres)`);
    if (!levels.includes(f.isolation)) throw new InputError(`target ${target.name} has no isolation level "${f.isolation}"; levels: ${levels.join(', ')}`);
  }
  const runtime = (f.runtime ?? target.defaultRuntime) as RunConfig['runtime'];
  if (!target.runtimes.includes(runtime)) {
    throw new InputError(`target ${target.name} does not run on ${runtime}; runtimes: ${target.runtimes.join(', ')}`);
  }
  let nodesText = f.nodeCount ?? f.nodes;
  let hosts: string | undefined;
  if (runtime === 'ssh') {
    if (f.hosts === undefined) throw new InputError('--runtime ssh needs --hosts FILE: the hosts the nodes run on (see the README)');
    hosts = resolve(f.hosts);
    const count = loadHosts(hosts).hosts.length;
    // The default cluster size is the hosts file's; a --nodes beyond it cannot run.
    if (f.nodeCount === undefined && f.nodes === '5') nodesText = String(count);
    if (Number(nodesText) > count) throw new InputError(`--nodes ${nodesText} needs ${nodesText} hosts; ${f.hosts} lists ${count}`);
  } else if (f.hosts !== undefined) {
    throw new InputError(`--hosts applies to --runtime ssh only (this run is on ${runtime})`);
  }
  if (workloadOf(workload).keyless && f.keys !== '10' && f.keys !== '1') {
    throw new InputError(`--workload ${workload} has no keys (one piece of state per cluster), so --keys does not apply`);
  }
  const named = f.nemesis === 'none' || f.nemesis === '' ? [] : f.nemesis.split(',').map((s) => s.trim());
  const nemesis = [...new Set(named.flatMap((n) => FAULT_GROUPS[n] ?? [n]))];
  for (const n of nemesis) {
    if (!isFaultName(n) && !AIMED_NAMES.includes(n)) throw new InputError(`unknown fault "${n}"; faults: ${[...FAULT_NAMES, ...AIMED_NAMES].join(', ')}, or none`);
    const { fault, aim } = nemesisChoice(n);
    const why = whyNot(fault, RUNTIME_SUPPORTS[runtime], target.faultLimits);
    if (why !== null) throw new InputError(`target ${target.name} on the ${runtime} runtime cannot take ${n} faults: ${why}`);
    if (aim && !target.roles?.includes(aim)) {
      throw new InputError(`target ${target.name} cannot name its ${aim} while it runs, so it cannot take ${n} faults (targets that can: those whose clusters report roles)`);
    }
  }
  const parsed = RunConfigSchema.safeParse({
    target: target.name,
    config,
    bug: f.bug,
    // Absolute, so the stored config (and the rerun command `show` prints from it) works from any folder.
    bin: f.bin === undefined ? undefined : resolve(f.bin),
    image: f.image,
    isolation: f.isolation,
    runtime,
    hosts,
    nodes: num(f.nodeCount !== undefined ? '--node-count' : '--nodes', nodesText, true),
    workload,
    keys: workloadOf(workload).keyless ? 1 : num('--keys', f.keys, true),
    concurrency: concurrencyFrom(f),
    rate: rateFrom(f.rate, target.name, workload),
    timeLimit: num('--time-limit', f.timeLimit),
    nemesis,
    nemesisInterval: num('--nemesis-interval', f.nemesisInterval),
    opTimeout: num('--op-timeout', f.opTimeout),
    quiescence: num('--quiescence', f.quiescence),
    convergenceBound: num('--convergence-bound', f.convergenceBound),
    maxOps: num('--max-ops', f.maxOps, true),
    traitors: f.traitors === undefined ? undefined : num('--traitors', f.traitors, true),
    byzantineClients: f.byzantineClients === true ? true : undefined,
    seed: f.seed ?? randomSeed(),
    latency: f.latency === undefined ? undefined : num('--latency', f.latency),
    topology: f.topology === undefined ? undefined : parseTopologyName(f.topology),
    maxMsgsPerOp: f.maxMsgsPerOp === undefined ? undefined : num('--max-msgs-per-op', f.maxMsgsPerOp),
    maxMedianLatency: f.maxMedianLatency === undefined ? undefined : num('--max-median-latency', f.maxMedianLatency),
    availability: availabilityFrom(f.availability),
    logStderr: f.logStderr === true ? true : undefined,
    nodeLogMax: f.nodeLogMax === undefined || f.nodeLogMax === String(16 * 1024 * 1024) ? undefined : num('--node-log-max', f.nodeLogMax, true),
    ...txnOptions(f, workload, promiseOf(target, config, workload), `${target.name} ${config}`),
  });
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new InputError(`--${String(i.path[0]).replace(/[A-Z]/g, (m) => '-' + m.toLowerCase())}: ${i.message}`);
  }
  const c = parsed.data;
  if (c.runtime !== 'sim' && (c.latency !== undefined || c.maxMsgsPerOp !== undefined)) {
    throw new InputError(`--latency and --max-msgs-per-op need the sim runtime, where faultline carries every message; this run is on ${c.runtime}`);
  }
  if (c.topology !== undefined && c.workload !== 'broadcast') throw new InputError(`--topology applies to the broadcast workload only, not ${c.workload}`);
  const lies = parsed.data.nemesis.some(isByzantineKind);
  if ((parsed.data.traitors !== undefined || parsed.data.byzantineClients) && !lies) {
    throw new InputError(`--traitors and --byzantine-clients apply to Byzantine faults only; add one of ${BYZANTINE_KINDS.join(', ')} (or byzantine) to --nemesis`);
  }
  // Each fault refuses a cluster it cannot be planned for (a partition of one node, no honest node left).
  const nodes = Array.from({ length: c.nodes }, (_, i) => `n${i + 1}`);
  for (const n of faultNames(c.nemesis)) {
    try {
      faultOf(n).check?.({ seed: c.seed, nodes, traitors: c.traitors, byzantineClients: c.byzantineClients });
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      throw new InputError(`--nemesis ${n} with --nodes ${c.nodes}${c.traitors === undefined ? '' : ` and --traitors ${c.traitors}`}: ${err.message}`);
    }
  }
  target.checkConfig?.(parsed.data);
  return parsed.data;
}

/** Live progress on a terminal (cli-progress); phase lines otherwise. */
function observerFor(f: RunFlags): { observer: RunObserver; stop(): void } {
  const live = f.progress !== false && !f.json && process.stderr.isTTY;
  let bar: cliProgress.SingleBar | undefined;
  const stopBar = () => {
    bar?.stop();
    bar = undefined;
  };
  const observer: RunObserver = {
    phase(p, detail) {
      if (p !== 'main' && p !== 'heal' && p !== 'quiescence') stopBar();
      // While the bar is drawn it shows the phase itself; a line written under it would tear the display.
      if (!f.json && !bar) process.stderr.write(dim(`[${p}]${detail ? ' ' + detail : ''}\n`));
      if (p === 'main' && live) {
        bar = new cliProgress.SingleBar(
          {
            format: ' {bar} {left}s left | ok {ok} fail {fail} info {info} | {faults}',
            stream: process.stderr,
            hideCursor: true,
            clearOnComplete: true,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(100, 0, { left: '?', ok: 0, fail: 0, info: 0, faults: 'no faults' });
      }
    },
    tick(s) {
      bar?.update(Math.min(100, (100 * s.elapsedS) / s.totalS), {
        left: Math.max(0, s.totalS - s.elapsedS).toFixed(0),
        ok: s.ok,
        fail: s.fail,
        info: s.info,
        faults: s.faults.length ? `in force: ${s.faults.join(', ')}` : s.phase === 'main' ? 'no faults' : s.phase,
      });
    },
  };
  return { observer, stop: stopBar };
}

/** Ctrl-C: stop cleanly (heal, teardown, mark the run interrupted); a second Ctrl-C exits at once. */
function interruptible(): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  let count = 0;
  const handler = () => {
    count++;
    if (count === 1) {
      process.stderr.write('\ninterrupted: healing faults and stopping the cluster (Ctrl-C again to exit now)\n');
      ac.abort();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: ac.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

function printOutcome(o: RunOutcome): void {
  const s = o.results.summary;
  println();
  println(`${bold('verdict')}: ${verdictWord(o.valid)}   ${dim(`seed ${o.meta.seed}`)}`);
  for (const r of o.check.results) {
    const enforced = o.check.enforced.includes(r.checker);
    println(`  ${r.checker.padEnd(20)} ${verdictWord(r.valid)}${enforced ? '' : dim(' (reported, not promised by this config)')}`);
    const detail = renderLinearResult(r, 2);
    if (detail && r.valid !== true) println(detail.replace(/^/gm, '  '));
  }
  println(`  ${s.clientOps} client ops (${s.opsPerSec.toFixed(0)}/s), ${s.faults} fault${s.faults === 1 ? '' : 's'}, final reads ${o.finals.converged ? `agreed after ${o.finals.rounds} round(s)` : `did not agree within ${o.finals.boundMs / 1000} s`}`);
  if (s.cap) println(`  ${bold('CAP')}: ${s.cap}`);
  const net = (s as { net?: NetStats }).net;
  if (net) println(`  ${bold('network')}: ${netLine(net)}`);
  for (const note of (s as { nodeLogs?: string[] }).nodeLogs ?? []) println(`  ${bold('node log')}: ${note}`);
  for (const e of faultErrorsOf(o)) println(`  ${bold('FAULT STEP FAILED')}: ${e}`);
  for (const l of leftoversOf(o)) println(`  ${bold('NOT UNDONE')}: ${l}`);
  println(`  stored in ${o.dir}   (faultline show ${o.dir})`);
  if (o.report) println(`  report: ${o.report.path}`);
}

export async function withRun<T>(f: RunFlags, body: (signal: AbortSignal, observer: RunObserver) => Promise<T>): Promise<T> {
  const { observer, stop } = observerFor(f);
  const intr = interruptible();
  try {
    return await body(intr.signal, observer);
  } catch (err) {
    if (intr.signal.aborted) {
      stop();
      process.stderr.write(`run interrupted: ${(err as Error).message}; nodes and faults were cleaned up\n`);
      process.exitCode = 130;
      throw Object.assign(new Error('interrupted'), { exitCode: 130 });
    }
    throw err;
  } finally {
    stop();
    intr.dispose();
  }
}

export async function runCommand(f: RunFlags): Promise<number> {
  const config = await resolveConfig(f);
  if (!f.json) process.stderr.write(`faultline run: ${config.target}/${config.config}${config.bug ? ` with bug ${config.bug}` : ''}, seed ${config.seed}\n`);
  const outcome = await withRun(f, async (signal, observer) => runTest({ target: await loadTarget(config.target), config, store: f.store, signal, observer, keepData: f.keepData }));
  if (f.json) printJson({ dir: outcome.dir, valid: outcome.valid, seed: config.seed, report: outcome.report?.path, results: outcome.results });
  else printOutcome(outcome);
  // Faults or processes left on a host outweigh the verdict: the user has to act on them.
  if (leftoversOf(outcome).length > 0) {
    process.stderr.write(`faultline run: the run was checked, but teardown could not undo everything:\n  ${leftoversOf(outcome).join('\n  ')}\n`);
    return EXIT.harness;
  }
  return exitCodeFor(outcome.valid);
}

/** What teardown could not undo (ssh: hosts that stayed unreachable), from the run's summary. */
function leftoversOf(o: RunOutcome): string[] {
  const l = (o.results.summary as { leftovers?: unknown }).leftovers;
  return Array.isArray(l) ? l.map(String) : [];
}

/** Fault steps that failed (a heal that could not reach a host, ...), from the run's summary. */
function faultErrorsOf(o: RunOutcome): string[] {
  const e = (o.results.summary as { faultErrors?: unknown }).faultErrors;
  return Array.isArray(e) ? e.map(String) : [];
}

/** Server-to-server messages per client op, as the run's network statistics counted them (sim only). */
export function messagesPerOp(o: RunOutcome): number | null {
  const net = o.results.summary.net as { msgsPerOp?: unknown } | undefined;
  return typeof net?.msgsPerOp === 'number' ? net.msgsPerOp : null;
}

export async function compareCommand(f: RunFlags): Promise<number> {
  if (f.topologies) return topologyCompare(f);
  if (!f.configs) throw new InputError('compare needs --configs A,B (e.g. --configs raft,lww)');
  const names = f.configs.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length < 2) throw new InputError('--configs needs at least two configurations, separated by commas');
  // One seed for all, so every configuration sees the same ops and the same faults.
  const seed = f.seed ?? randomSeed();
  const configs: RunConfig[] = [];
  for (const n of names) configs.push(await resolveConfig({ ...f, seed }, n));
  if (!f.json) process.stderr.write(`faultline compare: ${names.join(' vs ')} on ${f.target}, seed ${seed}\n`);
  const outcomes: RunOutcome[] = [];
  await withRun(f, async (signal, observer) => {
    for (const config of configs) {
      if (!f.json) process.stderr.write(bold(`\n== ${config.config} ==\n`));
      outcomes.push(await runTest({ target: await loadTarget(config.target), config, store: f.store, signal, observer, keepData: f.keepData }));
    }
  });
  const rows = outcomes.map((o) =>
    compareRowFrom(o.meta.config.config, o.check.results, {
      opsPerSec: o.results.summary.opsPerSec,
      storePath: o.dir,
      messagesPerOp: messagesPerOp(o),
      valid: o.valid,
    }),
  );
  const tableText = renderCompareTable(rows);
  const dir = join(f.store, `${f.target}-compare`, new Date().toISOString().replace(/:/g, '-'));
  mkdirSync(dir, { recursive: true });
  const record = { seed, target: f.target, configs: names, runs: outcomes.map((o) => o.dir), rows };
  writeFileSync(join(dir, 'compare.txt'), tableText + '\n');
  const strips = outcomes.map((o) => o.report?.strip ?? null);
  writeFileSync(join(dir, 'compare.json'), JSON.stringify({ ...record, strips }) + '\n');
  writeFileSync(join(dir, 'report.html'), renderCompareHtml({ ...record, dir, strips }, outcomes.map((o) => (o.report ? relative(dir, o.report.path) : undefined))));
  if (f.json) printJson({ ...record, dir });
  else {
    println();
    println(tableText);
    println(dim(`\nstored in ${dir}; runs: ${outcomes.map((o) => o.dir).join(', ')}`));
    println(dim(`report: ${join(dir, 'report.html')}`));
  }
  // Each configuration is judged by its own promise; the comparison fails if any configuration broke its own.
  return exitCodeFor(composeValidity(outcomes.map((o) => o.valid)));
}
