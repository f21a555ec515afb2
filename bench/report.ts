/**
 * report.html at scale: a synthetic register history of N ops (default 500,000 invoke/complete pairs, so a
 * million events) with partitions, kills and one failing op. Prints the time to build and write the report,
 * its size, the history's size plain and gzipped, and, when Debian's chromium is installed, how long the page
 * takes to open and draw itself (until it marks itself ready).
 *
 * `npm run bench -- report [OPS]`
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Op } from '../histories/op.js';
import type { RunResults } from '../histories/run-record.js';
import { gzipInPlace } from '../histories/compressed.js';
import { writeReportFor } from '../harness/report/html/write-report.js';

const CHROMIUM = '/usr/bin/chromium';

function syntheticHistory(pairs: number): { ops: Op[]; bad: number } {
  const ops: Op[] = [];
  const procs = 10;
  const busyUntil = new Array<number>(procs).fill(0);
  let t = 1e9;
  let bad = -1;
  const badAt = Math.floor(pairs * 0.61);
  const push = (op: Omit<Op, 'index'>) => ops.push({ index: ops.length, ...op } as Op);
  for (let i = 0; i < pairs; i++) {
    const p = i % procs;
    if (i % Math.floor(pairs / 6) === 0 && i > 0) {
      const k = (i / Math.floor(pairs / 6)) % 2 === 1 ? 'partition' : 'kill';
      const value = k === 'partition' ? { shape: 'majority-minority', grudge: { n1: ['n2', 'n3', 'n4', 'n5'], n2: ['n1'], n3: ['n1'], n4: ['n1'], n5: ['n1'] } } : { nodes: ['n3'] };
      push({ type: 'info', process: 'nemesis', time: t, f: `start-${k}`, value });
      // Each fault lasts a twelfth of the run: its stop is appended below.
      (ops[ops.length - 1] as Op & { _close?: number })._close = i + Math.floor(pairs / 12);
    }
    const f = i % 3 === 0 ? 'read' : i % 3 === 1 ? 'write' : 'cas';
    const key = i % 10;
    t += 60_000 + (i % 7) * 5_000;
    const start = Math.max(t, busyUntil[p]);
    if (i === badAt) bad = ops.length;
    push({ type: 'invoke', process: p, time: start, f, key, value: f === 'read' ? null : f === 'cas' ? [i - 3, i] : i, node: `n${(p % 5) + 1}` });
    const end = start + 200_000 + ((i * 7919) % 3_000_000);
    busyUntil[p] = end;
    const type = i % 17 === 0 ? 'fail' : i % 997 === 0 ? 'info' : 'ok';
    push({ type, process: p, time: end, f, key, value: f === 'read' ? i - 1 : f === 'cas' ? [i - 3, i] : i, node: `n${(p % 5) + 1}` });
  }
  // Close each fault at its planned point (events appended in time order would be more faithful; the
  // report pairs start and stop by kind, so one stop per start at the end of its span is what matters).
  const starts = ops.filter((o) => (o as Op & { _close?: number })._close !== undefined);
  for (const s of starts) {
    delete (s as Op & { _close?: number })._close;
    push({ type: 'info', process: 'nemesis', time: (s.time ?? 0) + 3e9, f: s.f.replace('start-', 'stop-'), value: s.value });
  }
  ops.sort((a, b) => (a.time ?? 0) - (b.time ?? 0) || a.index - b.index);
  const remap = new Map<number, number>();
  ops.forEach((o, i) => {
    remap.set(o.index, i);
    o.index = i;
  });
  return { ops, bad: remap.get(bad)! };
}

export async function main(argv: string[]): Promise<void> {
  const pairs = Number(argv[0] ?? 500_000);
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-report-'));
  try {
    const t0 = performance.now();
    const { ops, bad } = syntheticHistory(pairs);
    console.log(`history: ${pairs} ops, ${ops.length} events (built in ${Math.round(performance.now() - t0)} ms)`);
    const results: RunResults = {
      valid: false,
      checkers: [{ checker: 'linearizable', valid: false, enforced: true, stats: {}, anomalies: [{ kind: 'nonlinearizable', key: 3, message: 'synthetic failure', indices: [bad, bad + 1] }] }],
      summary: { ops: ops.length, clientOps: pairs, faults: 6, durationS: 60, opsPerSec: pairs / 60 },
    };
    const out = join(dir, 'report.html');
    const w = writeReportFor(out, { ops, results, source: 'synthetic' });
    console.log(`report: ${(w.bytes / 1e6).toFixed(1)} MB written in ${Math.round(w.ms)} ms (${w.data.sampled.drawn} of ${w.data.sampled.total} ops drawn, failing op kept: ${w.data.ops.invoke.includes(bad)})`);
    const hist = join(dir, 'history.jsonl');
    writeFileSync(hist, ops.map((o) => JSON.stringify(o)).join('\n') + '\n');
    const plain = statSync(hist).size;
    const tg = performance.now();
    const gz = await gzipInPlace(hist);
    console.log(`history.jsonl ${(plain / 1e6).toFixed(1)} MB, gzipped ${(statSync(gz).size / 1e6).toFixed(1)} MB in ${Math.round(performance.now() - tg)} ms`);
    if (!existsSync(CHROMIUM)) {
      console.log('chromium not installed: open time not measured');
      return;
    }
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: 120_000,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    try {
      for (let run = 0; run < 3; run++) {
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        const t1 = performance.now();
        await page.goto(`file://${out}`);
        await page.waitForSelector('body[data-ready="1"]', { timeout: 120_000 });
        console.log(`open in chromium until drawn: ${Math.round(performance.now() - t1)} ms`);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
