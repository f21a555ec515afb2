/**
 * Working arrays for the linearization search, reused from one search to the next. Explaining one failing key
 * runs hundreds of small searches (every shrink check is one), and each used to allocate some twenty typed
 * arrays, its memo table and three arrays of random hash halves: on 100 small Jepsen logs that was ~600
 * searches, tens of MB of short-lived buffers, and a good share of the check's garbage collection.
 *
 * Arrays are carved out of three arenas (one per element type) as views, filled as a fresh array would be, so
 * a search sees exactly what it would have allocated. Only searches of up to SCRATCH_MAX_OPS ops use the arenas;
 * a bigger search allocates its own arrays, so nothing large stays alive after it. A search takes the arenas
 * with `begin` and must be finished with them before the next `begin` (searches never nest).
 */

/** Searches over at most this many ops share the arenas; bigger ones allocate. */
const SCRATCH_MAX_OPS = 1 << 14;

export class Scratch {
  private i32 = new Int32Array(0);
  private f64 = new Float64Array(0);
  private u8 = new Uint8Array(0);
  private i32At = 0;
  private f64At = 0;
  private u8At = 0;
  private shared = false;

  /** Start a search over `n` ops that will take about `i32`, `f64` and `u8` elements per op from the arenas. */
  begin(n: number, i32PerOp: number, f64PerOp: number, u8PerOp: number): void {
    this.shared = n <= SCRATCH_MAX_OPS;
    this.i32At = 0;
    this.f64At = 0;
    this.u8At = 0;
    if (!this.shared) return;
    // Room for the per-op arrays plus their small constant extras (sentinels, the memo key's header).
    const want = (perOp: number): number => perOp * n + 64;
    if (this.i32.length < want(i32PerOp)) this.i32 = new Int32Array(Math.max(want(i32PerOp), 2 * this.i32.length));
    if (this.f64.length < want(f64PerOp)) this.f64 = new Float64Array(Math.max(want(f64PerOp), 2 * this.f64.length));
    if (this.u8.length < want(u8PerOp)) this.u8 = new Uint8Array(Math.max(want(u8PerOp), 2 * this.u8.length));
  }

  /** An Int32Array of `len` elements, each `fill`. */
  int32(len: number, fill = 0): Int32Array {
    if (!this.shared || this.i32At + len > this.i32.length) return new Int32Array(len).fill(fill);
    const a = this.i32.subarray(this.i32At, this.i32At + len);
    this.i32At += len;
    return a.fill(fill);
  }

  /** A Float64Array of `len` zeros. */
  float64(len: number): Float64Array {
    if (!this.shared || this.f64At + len > this.f64.length) return new Float64Array(len);
    const a = this.f64.subarray(this.f64At, this.f64At + len);
    this.f64At += len;
    return a.fill(0);
  }

  /** A Uint8Array of `len` zeros. */
  uint8(len: number): Uint8Array {
    if (!this.shared || this.u8At + len > this.u8.length) return new Uint8Array(len);
    const a = this.u8.subarray(this.u8At, this.u8At + len);
    this.u8At += len;
    return a.fill(0);
  }
}

/**
 * Per-op random 32-bit values for the incremental set hashes (splitmix32 from a fixed seed, so runs are
 * reproducible). The i-th value depends only on the seed and i, so one array per seed serves every search of up
 * to its length; longer ones get their own.
 */
const halves = new Map<number, Int32Array>();

function splitmixHalves(n: number, seed: number): Int32Array {
  const out = new Int32Array(n);
  let s = seed | 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    out[i] = z ^ (z >>> 16);
  }
  return out;
}

/** At least `n` random halves for `seed` (element i is the same whatever n is). */
export function randomHalves(n: number, seed: number): Int32Array {
  if (n > SCRATCH_MAX_OPS) return splitmixHalves(n, seed);
  let h = halves.get(seed);
  if (h === undefined || h.length < n) {
    h = splitmixHalves(Math.min(SCRATCH_MAX_OPS, Math.max(n, 1024, 2 * (h?.length ?? 0))), seed);
    halves.set(seed, h);
  }
  return h;
}
