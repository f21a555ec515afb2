/**
 * `faultline check FILE` with no --checker or --model, on a set history too large to hold: such a history is
 * judged by the streaming set checker in its linearizable mode (Jepsen's set-full with `:linearizable? true`),
 * op by op, never held whole. The linearizability search would hold every op and search states that are each a
 * whole set; on a 64 MB g-set history that already took 330 MB, and 500 MB of history could not be held at all.
 *
 * What the history is gets decided from its first ops (a bounded head), then checked against every op as they
 * stream past: if the whole history would not have been read as a set (a txn or transfer op, reads of numbers,
 * a generate op further down), the answer is dropped and the caller checks the file whole, as it always did.
 */
import type { Op } from '../../../histories/op.js';
import { streamOpened, type OpenedHistory } from '../../../histories/load.js';
import type { ReadGuard } from '../../../histories/errors.js';
import { ModelDetector } from '../../../checkers/models/detect.js';
import { mib } from '../../../checkers/linear/memory.js';
import type { CheckResult } from '../../../checkers/result.js';
import { CheckerPicker } from './check-other.js';

/** Above this many bytes (as stored) a set history is streamed to the set checker instead of searched. */
export const SEARCH_SET_MAX_BYTES = 64 << 20;
/** Ops read before deciding whether the history is a set's (kept, then replayed to the checker). */
const HEAD_OPS = 2000;

/** The reading of a set history by the set checker, with the sentence that says why it was chosen. */
export interface BigSetCheck {
  result: CheckResult;
  ops: number;
  warnings: string[];
  checker: string;
  reason: string;
}

/** Follows the three questions the whole-file path asks of the ops: another checker, a stateless workload, a model. */
class SetHistoryWitness {
  private readonly picker = new CheckerPicker();
  private readonly model = new ModelDetector();
  private stateless = false;

  push(op: Op): void {
    this.picker.push(op);
    this.model.push(op);
    if ((op.f === 'generate' || op.f === 'echo') && typeof op.process === 'number') this.stateless = true;
  }

  /** True when the whole-file path would search these ops with the set model. */
  isSet(): boolean {
    return !this.stateless && this.picker.result() === undefined && this.model.result().value === 'set';
  }
}

/**
 * Check a large opened history as a set, streamed; undefined when it is small, or not a set history after all
 * (the caller then loads and checks it whole).
 */
export async function checkBigSet(
  src: OpenedHistory,
  independent: boolean | 'auto',
  maxBytes = SEARCH_SET_MAX_BYTES,
  guard?: ReadGuard,
): Promise<BigSetCheck | undefined> {
  if (src.format === undefined || src.bytes <= maxBytes) return undefined;
  const h = await streamOpened(src, { independent, guard });
  const it = h.ops[Symbol.asyncIterator]();
  const witness = new SetHistoryWitness();
  const head: Op[] = [];
  let done = false;
  while (head.length < HEAD_OPS) {
    const n = await it.next();
    if (n.done) {
      done = true;
      break;
    }
    head.push(n.value);
    witness.push(n.value);
  }
  if (!witness.isSet()) {
    await it.return?.();
    return undefined;
  }
  const { setStream } = await import('../../../checkers/set.js');
  const sink = setStream({ linearizable: true });
  // An op the set checker refuses (a read of a number) may only show that this is not a set history: the error
  // stands only if the whole history still reads as a set's.
  let refused: unknown;
  const feed = (op: Op): void => {
    if (refused !== undefined) return;
    try {
      sink.push(op);
    } catch (err) {
      refused = err ?? new Error('refused');
    }
  };
  for (const op of head) feed(op);
  let n = head.length;
  head.length = 0;
  if (!done) {
    for (;;) {
      const r = await it.next();
      if (r.done) break;
      witness.push(r.value);
      feed(r.value);
      n++;
    }
  }
  if (!witness.isSet()) return undefined;
  if (refused !== undefined) throw refused;
  return {
    result: await sink.finish(),
    ops: n,
    warnings: h.warnings,
    checker: 'set-full',
    reason:
      `a set history of ${mib(src.bytes)}, too large to search for linearizability (every state is a whole set): ` +
      'streamed to the set checker, where a stale read counts against it as in linearizability; --model set searches anyway',
  };
}

