// The search's reused working arrays: each one handed out must look freshly allocated, whatever the search
// before it left behind, and the shared random hash halves must not depend on how many were asked for.
import { describe, expect, it } from 'vitest';
import { randomHalves, Scratch } from '../../../checkers/linear/scratch.js';

describe('Scratch', () => {
  it('hands out filled, non-overlapping views even after a search dirtied them', () => {
    const s = new Scratch();
    s.begin(100, 4, 1, 1);
    const dirty = [s.int32(150), s.int32(100, -1), s.int32(50)];
    for (const a of dirty) a.fill(7);
    s.float64(100).fill(7);
    s.uint8(100).fill(7);
    s.begin(80, 4, 1, 1);
    const a = s.int32(80);
    const b = s.int32(80, -2);
    const f = s.float64(80);
    const u = s.uint8(80);
    expect([...a].every((x) => x === 0)).toBe(true);
    expect([...b].every((x) => x === -2)).toBe(true);
    expect([...f].every((x) => x === 0)).toBe(true);
    expect([...u].every((x) => x === 0)).toBe(true);
    a.fill(1);
    expect([...b].every((x) => x === -2)).toBe(true);
    expect(a.length).toBe(80);
  });

  it('allocates past the arena instead of overlapping', () => {
    const s = new Scratch();
    s.begin(10, 1, 1, 1);
    const big = s.int32(1000, 3);
    const after = s.int32(10);
    expect(big.length).toBe(1000);
    expect([...big].every((x) => x === 3)).toBe(true);
    expect([...after].every((x) => x === 0)).toBe(true);
  });
});

describe('randomHalves', () => {
  it('gives element i the same value whatever length was asked for', () => {
    const seed = 0x1234567;
    const small = Array.from(randomHalves(10, seed).subarray(0, 10));
    const big = randomHalves(5000, seed);
    expect(big.length).toBeGreaterThanOrEqual(5000);
    expect(Array.from(big.subarray(0, 10))).toEqual(small);
    expect(Array.from(randomHalves(100_000, seed).subarray(0, 5000))).toEqual(Array.from(big.subarray(0, 5000)));
    expect(new Set(small).size).toBe(10);
  });
});
