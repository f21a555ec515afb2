/**
 * Sets of linearized optional ops, interned to small ints so that a memo entry names its set in one number.
 * Listing the set in every entry instead costs O(size) memory per entry, and in a long single-key history
 * the set only grows (info ops that did take effect stay linearized), which made memory quadratic.
 *
 * A set is reached by adding one op to a smaller set; each (set, op) step is remembered, and the resulting
 * set is looked up by content, so the same set reached in a different order gets the same id.
 */
export class OptionalSets {
  /** Sorted members of each set; id 0 is the empty set. */
  private members: Int32Array[] = [new Int32Array(0)];
  private hashes: number[] = [0];
  private byHash = new Map<number, number[]>();
  private steps = new Map<number, number>();
  /** Rough bytes held (members, hashes and both maps), for the search's memory budget. */
  bytes = 0;

  constructor(
    private readonly n: number,
    /** A random 32-bit value per op: a set's hash is the XOR of its members'. */
    private readonly salt: Int32Array,
  ) {}

  /** The id of `set ∪ {op}` (op not in set). */
  with(set: number, op: number): number {
    const stepKey = set * this.n + op;
    const known = this.steps.get(stepKey);
    if (known !== undefined) return known;
    const base = this.members[set];
    const out = new Int32Array(base.length + 1);
    let i = 0;
    while (i < base.length && base[i] < op) {
      out[i] = base[i];
      i++;
    }
    out[i] = op;
    out.set(base.subarray(i), i + 1);
    const h = this.hashes[set] ^ this.salt[op];
    let id = -1;
    const candidates = this.byHash.get(h);
    if (candidates) {
      for (const c of candidates) {
        if (same(this.members[c], out)) {
          id = c;
          break;
        }
      }
    }
    if (id < 0) {
      id = this.members.length;
      this.members.push(out);
      this.bytes += out.byteLength + 120;
      this.hashes.push(h);
      if (candidates) candidates.push(id);
      else this.byHash.set(h, [id]);
    }
    this.steps.set(stepKey, id);
    this.bytes += 40;
    return id;
  }
}

function same(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
