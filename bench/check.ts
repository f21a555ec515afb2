/**
 * Linearizability checker benchmark. Generates histories that are linearizable by construction (10 clients
 * sharing 100 keys of a simulated atomic store; each op takes effect at a random point between its invoke and
 * its completion; 1% of ops time out as `info` and took effect before, after, or never), then times the check
 * alone (no parsing) and reports ops/s and peak RSS. Then times each file of Knossos' corpus.
 *
 * Goals: 100k ops over 100 keys in < 1 s; 1M ops in < 10 s with RSS < 1 GB. ("ops" are history records, as in
 * the other benchmarks; an operation is two records.)
 *
 *   node dist/bench/check.js [--sizes 10k,100k,1m] [--model cas-register|kv] [--workers N] [--no-corpus]
 *                            [--clients 10] [--keys 100] [--info 0.01]
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Op } from '../histories/op.js';
import { checkLinearizable } from '../checkers/linear/index.js';
import { parseEdnHistory } from '../histories/jepsen/edn-history.js';
import { mulberry32 } from './gen-histories.js';

export interface GenOptions {
  clients?: number;
  keys?: number;
  infoRate?: number;
  seed?: number;
  model?: 'cas-register' | 'kv';
}

interface Pending {
  process: number;
  f: string;
  key: number;
  value: unknown;
  info: boolean;
  effected: boolean;
  ok: boolean;
  result: unknown;
}

/** A history of about `records` records that a linearizable store could have produced. */
export function generateHistory(records: number, o: GenOptions = {}): Op[] {
  const clients = o.clients ?? 10;
  const keys = o.keys ?? 100;
  const infoRate = o.infoRate ?? 0.01;
  const kv = o.model === 'kv';
  const rnd = mulberry32(o.seed ?? 42);
  const store: unknown[] = new Array<unknown>(keys).fill(kv ? null : 0);
  const ops: Op[] = [];
  const slots: (Pending | undefined)[] = new Array<Pending | undefined>(clients).fill(undefined);
  const procOf = Array.from({ length: clients }, (_, i) => i);
  let nextProcess = clients;
  /** Effects of timed-out ops that land after the client gave up. */
  const late: Pending[] = [];
  let time = 0;

  const apply = (p: Pending): void => {
    const cur = store[p.key];
    switch (p.f) {
      case 'read':
        p.ok = true;
        p.result = cur;
        return;
      case 'write':
        store[p.key] = p.value;
        p.ok = true;
        p.result = p.value;
        return;
      case 'append':
        store[p.key] = (cur === null ? '' : (cur as string)) + (p.value as string);
        p.ok = true;
        p.result = p.value;
        return;
      default: {
        const [from, to] = p.value as [unknown, unknown];
        p.ok = from === cur;
        if (p.ok) store[p.key] = to;
        p.result = p.value;
      }
    }
  };

  while (ops.length < records) {
    time += 1000 + Math.floor(rnd() * 50_000);
    if (late.length > 0 && rnd() < 0.05) apply(late.splice(Math.floor(rnd() * late.length), 1)[0]);
    const c = Math.floor(rnd() * clients);
    const p = slots[c];
    if (!p) {
      const key = Math.floor(rnd() * keys);
      const r = rnd();
      let f: string;
      let value: unknown;
      if (r < 0.5) {
        f = 'read';
        value = null;
      } else if (r < 0.8) {
        f = 'write';
        value = kv ? `v${Math.floor(rnd() * 10)}` : Math.floor(rnd() * 10);
      } else if (kv && r < 0.9) {
        f = 'append';
        value = String.fromCharCode(97 + Math.floor(rnd() * 26));
      } else {
        f = 'cas';
        const cur = store[key];
        const to = kv ? `v${Math.floor(rnd() * 10)}` : Math.floor(rnd() * 10);
        value = [rnd() < 0.5 ? cur : kv ? `v${Math.floor(rnd() * 10)}` : Math.floor(rnd() * 10), to];
      }
      const pend: Pending = { process: procOf[c], f, key, value, info: rnd() < infoRate, effected: false, ok: false, result: undefined };
      slots[c] = pend;
      ops.push({ index: ops.length, type: 'invoke', process: pend.process, time, f, key, value } as Op);
    } else if (!p.effected) {
      p.effected = true;
      // A timed-out op took effect in time, later, or never.
      if (!p.info) apply(p);
      else {
        const r = rnd();
        if (r < 0.4) apply(p);
        else if (r < 0.7) late.push(p);
      }
    } else {
      slots[c] = undefined;
      if (p.info) {
        ops.push({ index: ops.length, type: 'info', process: p.process, time, f: p.f, key: p.key, value: p.value } as Op);
        procOf[c] = nextProcess++;
      } else {
        ops.push({ index: ops.length, type: p.ok ? 'ok' : 'fail', process: p.process, time, f: p.f, key: p.key, value: p.result } as Op);
      }
    }
  }
  return ops;
}

function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(s.trim());
  if (!m) throw new Error(`bad size ${s} (want e.g. 10k, 100k, 1m)`);
  return Math.round(Number(m[1]) * (m[2].toLowerCase() === 'k' ? 1e3 : m[2].toLowerCase() === 'm' ? 1e6 : 1));
}

const mb = (kb: number): string => `${(kb / 1024).toFixed(0)} MB`;

function knossosDir(): string {
  if (process.env.FAULTLINE_KNOSSOS) return process.env.FAULTLINE_KNOSSOS;
  // bench/check.ts and dist/bench/check.js both sit under the project root; the corpus is in tests/fixtures.
  let dir = fileURLToPath(new URL('..', import.meta.url));
  if (dir.replace(/\/$/, '').endsWith('dist')) dir = join(dir, '..');
  return join(dir, 'tests', 'fixtures', 'knossos');
}

export async function main(argv: string[] = []): Promise<void> {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const sizes = (arg('--sizes') ?? '10k,100k,1m').split(',').map(parseSize);
  const model = (arg('--model') ?? 'cas-register') as 'cas-register' | 'kv';
  const workers = arg('--workers') !== undefined ? Number(arg('--workers')) : undefined;
  const clients = Number(arg('--clients') ?? 10);
  const keys = Number(arg('--keys') ?? 100);
  const infoRate = Number(arg('--info') ?? 0.01);
  const initial = model === 'kv' ? null : 0;

  for (const n of sizes) {
    const ops = generateHistory(n, { model, clients, keys, infoRate });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await checkLinearizable(ops, { model, initial, workers, shrink: false });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    console.log(
      `check ${model}: ${ops.length.toLocaleString('en')} records (${(r.stats.pairs as number).toLocaleString('en')} ops, ` +
        `${r.stats.keys as number} keys, ${r.stats.info as number} info) -> ${String(r.valid)} in ${(ms / 1000).toFixed(3)} s ` +
        `(${Math.round(ops.length / (ms / 1000)).toLocaleString('en')} records/s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, ` +
        `threads ${r.stats.workers as number}), ` +
        `peak RSS ${mb(process.resourceUsage().maxRSS)}`,
    );
    if (r.valid !== true) console.log(`  unexpected verdict: ${r.reason ?? JSON.stringify(r.anomalies[0]?.message)}`);
  }

  const root = knossosDir();
  if (argv.includes('--no-corpus') || !existsSync(root)) return;
  const sets: [string, string, unknown][] = [
    ['cas-register/good', 'cas-register', 0],
    ['cas-register/bad', 'cas-register', 0],
    ['multi-register/good', 'multi-register', { x: 0, y: 0 }],
    ['mutex/bad', 'mutex', undefined],
  ];
  let total = 0;
  let slowest = { file: '', ms: 0 };
  for (const [dir, m, init] of sets) {
    for (const f of readdirSync(join(root, dir)).sort()) {
      const ops = parseEdnHistory(readFileSync(join(root, dir, f), 'utf8')).ops;
      const t0 = performance.now();
      const r = await checkLinearizable(ops, { model: m, initial: init, workers: 1, shrink: false });
      const ms = performance.now() - t0;
      total += ms;
      if (ms > slowest.ms) slowest = { file: `${dir}/${f}`, ms };
      console.log(`  ${dir}/${f}: ${ops.length} records -> ${String(r.valid)} in ${ms.toFixed(2)} ms`);
    }
  }
  console.log(`corpus: total ${total.toFixed(0)} ms, slowest ${slowest.file} ${slowest.ms.toFixed(1)} ms`);
}

// Run directly (node dist/bench/check.js ...), not when imported by bench/cli.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv.slice(2));
}
