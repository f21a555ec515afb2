/**
 * Streaming read of a large JSONL history: the goal is 1,000,000 ops in under 3 s with peak RSS under 500 MB.
 * The file is written first (not timed), then streamed op by op without keeping the ops.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlWriter } from '../histories/jsonl-writer.js';
import { streamJsonl } from '../histories/jsonl-reader.js';

export async function main(argv: string[] = []): Promise<void> {
  const n = Number(argv[0] ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
  const path = join(dir, 'history.jsonl');
  try {
    const w = new JsonlWriter(path);
    const t0w = performance.now();
    for (let i = 0; i < n / 2; i++) {
      const p = i % 10;
      const f = i % 3 === 0 ? 'read' : 'write';
      w.append({ type: 'invoke', process: p, time: i * 1000, f, key: i % 100, value: f === 'read' ? null : i });
      w.append({ type: 'ok', process: p, time: i * 1000 + 500, f, key: i % 100, value: i, node: `n${(p % 5) + 1}` });
    }
    w.close();
    const writeMs = performance.now() - t0w;
    const mb = statSync(path).size / 1e6;

    const t0 = performance.now();
    let count = 0;
    let sum = 0;
    for await (const op of streamJsonl(path)) {
      count++;
      sum += op.index;
    }
    const ms = performance.now() - t0;
    if (count !== n || sum !== (n * (n - 1)) / 2) throw new Error(`read ${count} ops, expected ${n}`);
    const rssMb = process.resourceUsage().maxRSS / 1024;
    console.log(
      `stream: ${count} ops (${mb.toFixed(0)} MB) read+validated in ${(ms / 1000).toFixed(2)} s ` +
        `(${Math.round(count / (ms / 1000)).toLocaleString('en')} ops/s), peak RSS ${rssMb.toFixed(0)} MB; ` +
        `written in ${(writeMs / 1000).toFixed(2)} s (one write(2) per op)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
