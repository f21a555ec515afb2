/**
 * Wide read/write register histories, in-process: N clients each write a value of their own at once, then N
 * clients read. Valid when every read sees the last write of one order; invalid when two reads see different
 * values (no write follows them). The search meets every subset of the overlapping writes as a configuration
 * of its own (before the zone test, 60 writers took it 210 s and 2.7 GB to say `unknown`); the zone test
 * decides such keys in O(n log n). Prints the time, the verdict and the process's peak RSS.
 */
import type { Op } from '../histories/op.js';
import { checkLinearizable } from '../checkers/linear/index.js';

function wide(writers: number, readers: number, agree: boolean): Op[] {
  const ops: Op[] = [];
  const add = (o: Omit<Op, 'index'>): void => void ops.push({ index: ops.length, ...o } as Op);
  for (let p = 0; p < writers; p++) add({ process: p, type: 'invoke', f: 'write', value: p + 1 });
  // One in seven writes times out: it may or may not have happened.
  for (let p = 0; p < writers; p++) add({ process: p, type: p % 7 === 3 ? 'info' : 'ok', f: 'write', value: p + 1 });
  for (let r = 0; r < readers; r++) add({ process: writers + r, type: 'invoke', f: 'read', value: null });
  for (let r = 0; r < readers; r++) add({ process: writers + r, type: 'ok', f: 'read', value: agree || r % 2 === 0 ? 1 : 2 });
  return ops;
}

export async function main(argv: string[] = []): Promise<void> {
  const i = argv.indexOf('--writers');
  const sizes = i >= 0 ? argv[i + 1].split(',').map(Number) : [60, 1_000, 100_000];
  for (const n of sizes) {
    for (const agree of [true, false]) {
      const ops = wide(n, Math.max(2, n >> 2), agree);
      const t0 = performance.now();
      const r = await checkLinearizable(ops, { model: 'register', initial: null, workers: 1, timeoutMs: 60_000 });
      const ms = performance.now() - t0;
      console.log(
        `wide register, ${n} writers at once then ${Math.max(2, n >> 2)} readers (${agree ? 'valid' : 'two values read'}): ${String(r.valid)} in ` +
          `${ms.toFixed(0)} ms, ${String(r.stats.zoneKeys)} key(s) by the zone test, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
      );
    }
  }
}
