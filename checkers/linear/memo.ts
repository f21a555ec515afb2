/**
 * The search's memo of configurations already explored: (set of linearized ops, model state). Kept in typed
 * arrays with open addressing, because a JS Map of composite keys would allocate on every step.
 *
 * A configuration is looked up by a 64-bit set hash (two 32-bit halves) plus the state id; entries whose
 * hashes match are then compared on an exact, compact description of the set (written by the search), so a
 * hash collision can never make two different configurations look the same.
 */
export class MemoTable {
  private slots: Int32Array;
  private mask: number;
  private h1s: Int32Array;
  private h2s: Int32Array;
  private sids: Int32Array;
  private repAt: Int32Array;
  private pool: Int32Array;
  private poolLen = 0;
  count = 0;

  /** Bytes a table made for `expected` entries allocates at once. */
  static initialBytes(expected: number): number {
    return MemoTable.capacity(expected) * 20;
  }

  private static capacity(expected: number): number {
    // Small to start with: explaining a failure runs hundreds of searches over a few dozen ops each.
    let cap = 64;
    while (cap < expected * 2) cap *= 2;
    return cap;
  }

  constructor(expected = 1024) {
    const cap = MemoTable.capacity(expected);
    this.slots = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    const n = cap >> 1;
    this.h1s = new Int32Array(n);
    this.h2s = new Int32Array(n);
    this.sids = new Int32Array(n);
    this.repAt = new Int32Array(n);
    this.pool = new Int32Array(n * 4);
  }

  private static slotOf(h1: number, h2: number, sid: number): number {
    let x = h1 ^ Math.imul(sid + 1, 0x9e3779b1) ^ Math.imul(h2, 0x27d4eb2f);
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
    return x ^ (x >>> 13);
  }

  /**
   * Add the configuration unless it is already present. `rep[0..repLen)` is the exact set description.
   * Returns true when it was new.
   */
  add(h1: number, h2: number, sid: number, rep: Int32Array, repLen: number): boolean {
    const mask = this.mask;
    let slot = MemoTable.slotOf(h1, h2, sid) & mask;
    for (;;) {
      const e = this.slots[slot];
      if (e < 0) break;
      if (this.h1s[e] === h1 && this.h2s[e] === h2 && this.sids[e] === sid && this.sameRep(e, rep, repLen)) return false;
      slot = (slot + 1) & mask;
    }
    if (this.count >= this.h1s.length) this.growEntries();
    if (this.poolLen + repLen + 1 > this.pool.length) this.growPool(repLen + 1);
    const e = this.count++;
    this.h1s[e] = h1;
    this.h2s[e] = h2;
    this.sids[e] = sid;
    this.repAt[e] = this.poolLen;
    this.pool[this.poolLen++] = repLen;
    this.pool.set(rep.subarray(0, repLen), this.poolLen);
    this.poolLen += repLen;
    this.slots[slot] = e;
    if (this.count * 2 > this.slots.length) this.rehash();
    return true;
  }

  private sameRep(e: number, rep: Int32Array, repLen: number): boolean {
    let at = this.repAt[e];
    if (this.pool[at++] !== repLen) return false;
    for (let i = 0; i < repLen; i++) if (this.pool[at + i] !== rep[i]) return false;
    return true;
  }

  private growEntries(): void {
    const n = this.h1s.length * 2;
    const grow = (a: Int32Array): Int32Array => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.h1s = grow(this.h1s);
    this.h2s = grow(this.h2s);
    this.sids = grow(this.sids);
    this.repAt = grow(this.repAt);
  }

  private growPool(need: number): void {
    let n = this.pool.length * 2;
    while (n < this.poolLen + need) n *= 2;
    const b = new Int32Array(n);
    b.set(this.pool.subarray(0, this.poolLen));
    this.pool = b;
  }

  private rehash(): void {
    const cap = this.slots.length * 2;
    this.slots = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    for (let e = 0; e < this.count; e++) {
      let slot = MemoTable.slotOf(this.h1s[e], this.h2s[e], this.sids[e]) & this.mask;
      while (this.slots[slot] >= 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = e;
    }
  }

  /** Approximate bytes held, for stats. */
  bytes(): number {
    return this.slots.byteLength + this.h1s.byteLength * 4 + this.pool.byteLength;
  }
}
