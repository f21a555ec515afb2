/**
 * What the two transactional workloads (txn-list-append.ts, txn-rw-register.ts) share: the generator of
 * transactions and Maelstrom's `txn` message. A transaction is a list of micro-ops `["r", k, null]`,
 * `["append", k, v]` or `["w", k, v]`; the node answers `txn_ok` with the same list, reads filled in.
 *
 * Written values are unique across the whole run (value = seq * slots + slot + 1), which is what lets the
 * Elle-style checkers tell whose write a read saw. Keys retire after about `maxWritesPerKey` writes (as
 * Elle's generators do), so lists stay short and each version is read often: slots share no state, so each
 * estimates the run's writes so far as its own writes times the number of slots, and all move to the next
 * window of `keys` fresh keys at about the same point of the run.
 */
import type { Generator, GeneratorOptions } from '../generator.js';
import type { Rng } from '../rng.js';
import type { ClientOp } from '../target.js';
import type { MaelstromFormat } from './workload.js';

export const TXN_DEFAULTS = { minTxnLength: 1, maxTxnLength: 4, maxWritesPerKey: 32 } as const;

/** The write micro-op of the data model: list-append appends, rw-register overwrites. */
export type WriteF = 'append' | 'w';

export type MicroOp = [string, number, unknown];

export class TxnGenerator implements Generator {
  private seq = 0;
  private writes = 0;
  private readonly min: number;
  private readonly max: number;
  private readonly perKey: number;

  constructor(
    private readonly rng: Rng,
    private readonly slot: number,
    private readonly o: GeneratorOptions,
    private readonly write: WriteF,
  ) {
    this.min = o.minTxnLength ?? TXN_DEFAULTS.minTxnLength;
    this.max = Math.max(this.min, o.maxTxnLength ?? TXN_DEFAULTS.maxTxnLength);
    this.perKey = o.maxWritesPerKey ?? TXN_DEFAULTS.maxWritesPerKey;
  }

  next(): ClientOp {
    const n = this.rng.int(this.min, this.max);
    const mops: MicroOp[] = [];
    for (let i = 0; i < n; i++) {
      const window = Math.floor((this.writes * this.o.slots) / (this.o.keys * this.perKey));
      const key = window * this.o.keys + this.rng.int(0, this.o.keys - 1);
      // Draw the value for every micro-op, read or not, so the values never depend on which were reads.
      const value = this.seq++ * this.o.slots + this.slot + 1;
      if (this.rng.chance(0.5)) mops.push(['r', key, null]);
      else {
        mops.push([this.write, key, value]);
        this.writes++;
      }
    }
    return { f: 'txn', value: mops };
  }

  observe(): void {}
}

/** Maelstrom's txn workloads' message: `{type: "txn", txn: [...]}` answered by `{type: "txn_ok", txn: [...]}`. */
export const txnFormat: MaelstromFormat = {
  request(op) {
    if (op.f !== 'txn') throw new Error(`the Maelstrom txn client has no message for op "${op.f}"`);
    return { type: 'txn', txn: op.value };
  },
  okType: () => 'txn_ok',
  // What the node says its reads saw is untrusted: the checker validates every micro-op it returns.
  okValue: (_op, r) => r.txn ?? null,
  missingRead: null,
  emptyState: null,
  keylessRead: false,
  probe: {
    // A one-read transaction of a key the load uses: a node serving it serves transactions.
    body: { type: 'txn', txn: [['r', 0, null]] },
    healthy: (r) => r.type === 'txn_ok',
  },
};
