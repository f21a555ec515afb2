/**
 * Check independent keys on worker threads, with the calling thread taking a share too. Keys are handed out
 * biggest first, a batch at a time, to whoever is free, so one huge key does not leave the others idle at the
 * end. Each key's verdict is computed exactly as in-process, so the result does not depend on the number of
 * threads.
 *
 * Copying ops to a thread is the main cost (structured clone of op objects costs more than checking them), so
 * a key travels as columns holding only what the models read.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InputError } from '../../histories/errors.js';
import type { Key, Op, ProcessId } from '../../histories/op.js';
import type { Model } from '../models/model.js';
import { checkPartition, type PartitionBudget, type PartitionVerdict } from './check-partition.js';
import type { OpPairAt, Partition } from './split.js';

export interface WorkerInit {
  model: string;
  initial: unknown;
  budget: PartitionBudget;
}

/** One key's pairs as columns (see the module comment). */
export interface PackedPartition {
  key: Key | undefined;
  invokePos: Float64Array;
  completePos: Float64Array;
  index: Float64Array;
  doneIndex: Float64Array;
  process: ProcessId[];
  f: string[];
  value: unknown[];
  doneType: (string | undefined)[];
  doneValue: unknown[];
}

export interface WorkerJob {
  jobs: { id: number; packed: PackedPartition }[];
}
export type WorkerReply = { results: { id: number; verdict: PartitionVerdict }[] } | { error: { name: string; message: string } };

export function pack(p: Partition): PackedPartition {
  const n = p.pairs.length;
  const out: PackedPartition = {
    key: p.key,
    invokePos: new Float64Array(n),
    completePos: new Float64Array(n),
    index: new Float64Array(n),
    doneIndex: new Float64Array(n),
    process: new Array<ProcessId>(n),
    f: new Array<string>(n),
    value: new Array<unknown>(n),
    doneType: new Array<string | undefined>(n),
    doneValue: new Array<unknown>(n),
  };
  for (let i = 0; i < n; i++) {
    const { invoke, completion, invokePos, completePos } = p.pairs[i];
    out.invokePos[i] = invokePos;
    out.completePos[i] = completePos;
    out.index[i] = invoke.index;
    out.process[i] = invoke.process;
    out.f[i] = invoke.f;
    out.value[i] = invoke.value;
    out.doneType[i] = completion?.type;
    out.doneValue[i] = completion?.value;
    out.doneIndex[i] = completion ? completion.index : -1;
  }
  return out;
}

export function unpack(q: PackedPartition): Partition {
  const pairs: OpPairAt[] = [];
  for (let i = 0; i < q.f.length; i++) {
    const base = { process: q.process[i], f: q.f[i], ...(q.key !== undefined ? { key: q.key } : {}) };
    const invoke = { ...base, index: q.index[i], type: 'invoke', value: q.value[i] } as Op;
    const t = q.doneType[i];
    const completion = t === undefined ? undefined : ({ ...base, index: q.doneIndex[i], type: t, value: q.doneValue[i] } as Op);
    pairs.push({ invoke, completion, invokePos: q.invokePos[i], completePos: q.completePos[i] });
  }
  return { key: q.key, pairs };
}

/**
 * The compiled worker: the bundled one, `<root>/dist/cli/linear-worker.cjs` (built by scripts/bundle-cli.mjs;
 * one file, so a thread starts without resolving and compiling ~20 modules), else the per-file build,
 * `<root>/dist/checkers/linear/worker.js`; whether this module runs from the TS sources (vitest), from dist/, or
 * inside the CLI bundle (dist/cli/faultline.cjs). Undefined when neither has been built: callers check
 * in-process.
 */
export function workerScript(): string | undefined {
  const here = fileURLToPath(import.meta.url);
  const dist = here.endsWith('.ts') ? join(resolve(dirname(here), '..', '..'), 'dist') : here.slice(0, here.lastIndexOf(`${sep}dist${sep}`) + 5);
  for (const path of [join(dist, 'cli', 'linear-worker.cjs'), join(dist, 'checkers', 'linear', 'worker.js')]) if (existsSync(path)) return path;
  return undefined;
}

/** Aim for batches of about this many op pairs, so messages are few but the tail stays balanced. */
const BATCH_PAIRS = 5_000;
const BATCH_MAX_KEYS = 64;

function makeBatches(partitions: Partition[]): number[][] {
  const order = partitions.map((_, i) => i).sort((a, b) => partitions[b].pairs.length - partitions[a].pairs.length || a - b);
  const batches: number[][] = [];
  let cur: number[] = [];
  let curPairs = 0;
  for (const i of order) {
    cur.push(i);
    curPairs += partitions[i].pairs.length;
    if (curPairs >= BATCH_PAIRS || cur.length >= BATCH_MAX_KEYS) {
      batches.push(cur);
      cur = [];
      curPairs = 0;
    }
  }
  if (cur.length) batches.push(cur);
  return batches;
}

/** CPU time of this process (every thread: a worker's and the garbage collector's too), in milliseconds. */
const cpuMs = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

const yieldToEvents = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Copying a key to a thread costs roughly 2-3 µs per op pair (measured, 2 cores); checking a healthy register
 * history costs about 1 µs per pair. So threads only pay when the search itself is heavy: the calling thread
 * starts alone and brings the workers in once its first batches show that the rest will take a while.
 */
const HEAVY_US_PER_PAIR = 20;
const WORTH_THREADS_MS = 1_000;

/**
 * Check with up to `threads` worker threads plus the calling thread. With `adaptive`, the workers are started
 * only if the work turns out to be heavy (see above); otherwise right away.
 */
export async function checkInWorkers(
  script: string,
  threads: number,
  model: Model<unknown>,
  modelName: string,
  initial: unknown,
  partitions: Partition[],
  budget: PartitionBudget,
  adaptive: boolean,
): Promise<{ verdicts: PartitionVerdict[]; threads: number }> {
  const batches = makeBatches(partitions);
  const results = new Array<PartitionVerdict | undefined>(partitions.length);
  const init: WorkerInit = { model: modelName, initial, budget };
  const workers: Worker[] = [];
  let next = 0;
  let failure: Error | undefined;
  /** Workers with a batch in flight. */
  const busy = new Set<Worker>();
  let wake: (() => void) | undefined;
  const settle = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  const feed = (w: Worker): void => {
    if (failure || next >= batches.length) return;
    const batch = batches[next++];
    busy.add(w);
    const msg: WorkerJob = { jobs: batch.map((id) => ({ id, packed: pack(partitions[id]) })) };
    // The columns were made for this message alone: hand their buffers over instead of copying them.
    const transfer = msg.jobs.flatMap(({ packed: q }) => [q.invokePos.buffer, q.completePos.buffer, q.index.buffer, q.doneIndex.buffer] as ArrayBuffer[]);
    w.postMessage(msg, transfer);
  };

  const totalPairs = partitions.reduce((sum, p) => sum + p.pairs.length, 0);
  let started = false;
  const start = (): void => {
    started = true;
    const n = Math.max(0, Math.min(threads, batches.length - next));
    for (let k = 0; k < n; k++) {
      const w = new Worker(script, { workerData: init });
      workers.push(w);
      w.on('message', (reply: WorkerReply) => {
        busy.delete(w);
        if ('error' in reply) {
          failure ??= reply.error.name === 'InputError' ? new InputError(reply.error.message) : new Error(`linearizability worker: ${reply.error.message}`);
        } else {
          for (const r of reply.results) results[r.id] = r.verdict;
          feed(w);
        }
        settle();
      });
      w.on('error', (err) => {
        busy.delete(w);
        failure ??= err;
        settle();
      });
      w.on('exit', (code) => {
        if (!busy.has(w)) return;
        busy.delete(w);
        failure ??= new Error(`linearizability worker exited (code ${code}) in the middle of a batch`);
        settle();
      });
      feed(w);
    }
  };

  try {
    if (!adaptive) start();
    // This thread takes batches too, yielding between them so workers get new batches as they finish.
    // The rate is measured in CPU time, not wall time, so that a loaded machine (this thread waiting for a
    // core) does not look like a heavy search; and from the end of the first batch, which pays for compiling
    // the checker's code and would make any search look heavy.
    let cpu0 = 0;
    let measuredPairs = 0;
    let donePairs = 0;
    let batchesDone = 0;
    while (!failure && next < batches.length) {
      const batch = batches[next++];
      for (const id of batch) {
        results[id] = checkPartition(model, initial, partitions[id], budget);
        donePairs += partitions[id].pairs.length;
        if (batchesDone > 0) measuredPairs += partitions[id].pairs.length;
      }
      if (batchesDone++ === 0) cpu0 = cpuMs();
      else if (!started && next < batches.length) {
        const usPerPair = ((cpuMs() - cpu0) * 1000) / Math.max(1, measuredPairs);
        if (usPerPair > HEAVY_US_PER_PAIR && (usPerPair * (totalPairs - donePairs)) / 1000 > WORTH_THREADS_MS) start();
      }
      await yieldToEvents();
    }
    while (!failure && busy.size > 0) await new Promise<void>((r) => (wake = r));
    if (failure) throw failure;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  const verdicts = results.map((r, i) => {
    if (!r) throw new Error(`linearizability worker returned no verdict for key ${String(partitions[i].key)}`);
    return r;
  });
  return { verdicts, threads: workers.length + 1 };
}
