// The memory guard's reading of the resident size (from /proc/self/statm where there is one) must agree with
// node's own memoryUsage.rss(), or a --max-memory budget would stop too early or too late.
import { describe, expect, it } from 'vitest';
import { residentBytes } from '../../../checkers/linear/memory.js';

describe('residentBytes', () => {
  it('agrees with memoryUsage.rss() within a few percent, on the first reading and later ones', () => {
    for (let i = 0; i < 3; i++) {
      const ours = residentBytes();
      const node = process.memoryUsage.rss();
      expect(ours).toBeGreaterThan(0);
      expect(Math.abs(ours - node) / node).toBeLessThan(0.05);
    }
    // It follows growth: hold 64 MB more and read again.
    const before = residentBytes();
    const held = Buffer.alloc(64 * 2 ** 20, 1);
    const after = residentBytes();
    expect(after - before).toBeGreaterThan(32 * 2 ** 20);
    expect(held[held.length - 1]).toBe(1);
  });
});
