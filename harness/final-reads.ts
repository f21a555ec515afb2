/**
 * Final reads: after the heal and the quiescence window, read every node's own state for every key, in
 * rounds, until all nodes agree or the convergence bound passes. Every round goes into the history, so the
 * convergence checker can see when agreement came, not only whether it did.
 */
import { FINAL_READ, FINAL_READ_PROCESS_BASE } from '../histories/conventions.js';
import type { Key } from '../histories/op.js';
import type { NodeId } from './runtime.js';
import type { Cluster } from './target.js';
import type { Recorder } from './recorder.js';
import { sleep } from './time.js';


export interface FinalReadOptions {
  cluster: Cluster;
  nodes: readonly NodeId[];
  keys: readonly Key[];
  recorder: Recorder;
  boundMs: number;
  readTimeoutMs: number;
  /** Pause between rounds. */
  gapMs?: number;
  /** A Ctrl-C: no further round starts. */
  signal?: AbortSignal;
}

export interface FinalReadSummary {
  converged: boolean;
  rounds: number;
  boundMs: number;
}

/** Sets are compared as sets: element order is the node's business. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return JSON.stringify([...v].map((x) => JSON.stringify(x)).sort());
  return JSON.stringify(v ?? null);
}

export async function finalReads(o: FinalReadOptions): Promise<FinalReadSummary> {
  const started = performance.now();
  const gap = o.gapMs ?? 250;
  let round = 0;
  // At least one round, however tight the bound; then until agreement, the bound, or 1000 rounds.
  while (round < 1000) {
    const perKey = new Map<Key, Set<string>>();
    let allAnswered = true;
    await Promise.all(
      o.nodes.map(async (node, i) => {
        const process = FINAL_READ_PROCESS_BASE + i;
        for (const key of o.keys) {
          const op = { f: FINAL_READ, key };
          o.recorder.invoke(process, op, node, { round });
          const r = await o.cluster.finalRead(node, key, o.readTimeoutMs).catch((err: Error) => ({
            ok: false,
            value: null,
            error: err.message,
          }));
          o.recorder.complete(
            process,
            op,
            r.ok ? { type: 'ok', value: r.value } : { type: 'fail', error: r.error ?? 'no answer' },
            node,
            !r.ok && 'replica' in r && r.replica ? { round, replica: r.replica } : { round },
          );
          if (!r.ok) allAnswered = false;
          else {
            let s = perKey.get(key);
            if (!s) perKey.set(key, (s = new Set()));
            s.add(canonical(r.value));
          }
        }
      }),
    );
    round++;
    const agree = allAnswered && [...perKey.values()].every((s) => s.size === 1);
    if (agree) return { converged: true, rounds: round, boundMs: o.boundMs };
    if (performance.now() - started + gap > o.boundMs) return { converged: false, rounds: round, boundMs: o.boundMs };
    if (!(await sleep(gap, o.signal))) return { converged: false, rounds: round, boundMs: o.boundMs };
  }
  return { converged: false, rounds: round, boundMs: o.boundMs };
}
