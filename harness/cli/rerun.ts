/**
 * The command line that repeats a stored run: every setting from its run.json, so `faultline show` can print
 * a command that really reruns it (same ops and faults, timings aside) rather than a sketch of one.
 */
import type { RunConfig } from '../../histories/run-record.js';
import { workloadOf } from '../workloads/index.js';

export function rerunArgs(c: RunConfig): string[] {
  const args = ['--target', c.target, '--config', c.config];
  if (c.bug !== undefined) args.push('--bug', c.bug);
  if (c.bin !== undefined) args.push('--bin', c.bin);
  if (c.image !== undefined) args.push('--image', c.image);
  if (c.isolation !== undefined) args.push('--isolation', c.isolation);
  args.push('--runtime', c.runtime, '--nodes', String(c.nodes), '--workload', c.workload);
  if (!workloadOf(c.workload).keyless) args.push('--keys', String(c.keys));
  args.push('--concurrency', String(c.concurrency));
  // No rate is no limit, which a Maelstrom run must say: left out, it would get Maelstrom's 5/s.
  args.push('--rate', c.rate === undefined ? 'unlimited' : String(c.rate));
  args.push(
    '--time-limit', String(c.timeLimit),
    '--nemesis', c.nemesis.length ? c.nemesis.join(',') : 'none',
    '--nemesis-interval', String(c.nemesisInterval),
    '--op-timeout', String(c.opTimeout),
    '--quiescence', String(c.quiescence),
    '--convergence-bound', String(c.convergenceBound),
    '--max-ops', String(c.maxOps),
    '--seed', c.seed,
  );
  if (c.latency !== undefined) args.push('--latency', String(c.latency));
  if (c.topology !== undefined) args.push('--topology', c.topology);
  if (c.maxMsgsPerOp !== undefined) args.push('--max-msgs-per-op', String(c.maxMsgsPerOp));
  if (c.maxMedianLatency !== undefined) args.push('--max-median-latency', String(c.maxMedianLatency));
  if (c.availability !== undefined) args.push('--availability', c.availability === 1 ? 'total' : String(c.availability));
  if (c.logStderr) args.push('--log-stderr');
  if (c.nodeLogMax !== undefined) args.push('--node-log-max', String(c.nodeLogMax));
  if (c.minTxnLength !== undefined) args.push('--min-txn-length', String(c.minTxnLength));
  if (c.maxTxnLength !== undefined) args.push('--max-txn-length', String(c.maxTxnLength));
  if (c.maxWritesPerKey !== undefined) args.push('--max-writes-per-key', String(c.maxWritesPerKey));
  if (c.consistencyModels !== undefined) args.push('--consistency-models', c.consistencyModels.join(','));
  if (c.sequentialKeys) args.push('--sequential-keys');
  if (c.linearizableKeys) args.push('--linearizable-keys');
  return args;
}

/** POSIX shell quoting, only where a word needs it. */
function quote(word: string): string {
  return /^[A-Za-z0-9_./:,=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function rerunCommand(c: RunConfig): string {
  return ['faultline', 'run', ...rerunArgs(c)].map(quote).join(' ');
}
