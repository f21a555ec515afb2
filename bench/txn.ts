/**
 * Transactional (Elle-style) checker benchmark. Generates list-append histories that are strict-serializable
 * by construction: clients run transactions of 1 to 5 micro-ops (reads and appends) against a simulated
 * atomic store, each taking effect at one random moment between its invocation and its completion. Keys are
 * used as Jepsen's list-append workload uses them: `--keys` active at a time, each retired after
 * `--max-writes-per-key` appends (0: never, so every read returns the key's whole history).
 * Times the check alone (no parsing) against length and against concurrency, with peak RSS.
 *
 * Goal: 100k transactions (10 clients, 100 keys) in < 5 s and < 1 GB.
 *
 *   node dist/bench/txn.js [--sizes 10k,100k,1m] [--clients 5,50,200 | 0] [--keys 100] [--max-writes-per-key 32]
 */
import { performance } from 'node:perf_hooks';
import type { Op } from '../histories/op.js';
import { checkTxn } from '../checkers/txn/index.js';
import { mulberry32 } from './gen-histories.js';


export interface TxnGenOptions {
  txns: number;
  clients: number;
  keys: number;
  maxWritesPerKey: number;
  seed?: number;
}

type Mop = [string, number, unknown];

/** A strict-serializable list-append history of `txns` transactions. */
export function genListAppend(o: TxnGenOptions): Op[] {
  const rnd = mulberry32(o.seed ?? 1);
  const ops: Op[] = [];
  const state = new Map<number, number[]>();
  const active: number[] = Array.from({ length: o.keys }, (_, i) => i);
  let nextKey = o.keys;
  let nextValue = 1;
  const writes = new Map<number, number>();
  const clients = Array.from({ length: o.clients }, () => ({ mops: undefined as Mop[] | undefined, applied: false }));
  let started = 0;
  let done = 0;
  while (done < o.txns) {
    const c = Math.floor(rnd() * o.clients);
    const cl = clients[c];
    if (!cl.mops) {
      if (started >= o.txns) continue;
      started++;
      const n = 1 + Math.floor(rnd() * 5);
      cl.mops = [];
      for (let i = 0; i < n; i++) {
        const k = active[Math.floor(rnd() * active.length)];
        cl.mops.push(rnd() < 0.5 ? ['r', k, null] : ['append', k, nextValue++]);
      }
      cl.applied = false;
      ops.push({ index: ops.length, type: 'invoke', process: c, f: 'txn', value: cl.mops.map((m) => [...m]) });
    } else if (!cl.applied) {
      for (const m of cl.mops) {
        const list = state.get(m[1]) ?? [];
        if (m[0] === 'r') m[2] = list.slice();
        else {
          list.push(m[2] as number);
          state.set(m[1], list);
          const w = (writes.get(m[1]) ?? 0) + 1;
          writes.set(m[1], w);
          if (o.maxWritesPerKey > 0 && w >= o.maxWritesPerKey) {
            const at = active.indexOf(m[1]);
            if (at >= 0) active[at] = nextKey++;
          }
        }
      }
      cl.applied = true;
    } else {
      ops.push({ index: ops.length, type: 'ok', process: c, f: 'txn', value: cl.mops });
      cl.mops = undefined;
      done++;
    }
  }
  return ops;
}

function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(s.trim());
  if (!m) throw new Error(`bad size ${s}`);
  return Math.round(Number(m[1]) * (m[2].toLowerCase() === 'k' ? 1e3 : m[2].toLowerCase() === 'm' ? 1e6 : 1));
}

function arg(argv: string[], name: string, dflt: string): string {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : dflt;
}

function run(label: string, o: TxnGenOptions): void {
  const ops = genListAppend(o);
  // The history alone, before the check: at 1M transactions it is most of the peak, so say it apart.
  const before = Math.round(process.memoryUsage().rss / 1e6);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r = checkTxn(ops, 'list-append');
  const s = (performance.now() - t0) / 1000;
  // CPU time too: on a shared machine wall time says as much about the neighbours as about the checker.
  const cpu = process.cpuUsage(c0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const rss = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(
    `${label.padEnd(34)} ${String(o.txns).padStart(8)} txns  ${s.toFixed(2).padStart(6)} s (cpu ${cpuS.toFixed(2)} s)  ${Math.round(o.txns / s).toString().padStart(8)} txns/s  ` +
      `valid ${String(r.valid).padEnd(5)} edges ${String(r.stats.edges).padStart(9)}  RSS with the history ${before} MB, peak ${rss} MB`,
  );
}

export async function main(argv: string[]): Promise<void> {
  const sizes = arg(argv, '--sizes', '10k,100k,1m').split(',').map(parseSize);
  // `--clients 0` skips the concurrency rows, so a size row's peak RSS is its own.
  const clients = arg(argv, '--clients', '5,50,200').split(',').map(Number).filter((c) => c > 0);
  const keys = Number(arg(argv, '--keys', '100'));
  const maxWritesPerKey = Number(arg(argv, '--max-writes-per-key', '32'));
  console.log(`list-append, strict-serializable check; ${keys} active keys, ${maxWritesPerKey || 'unlimited'} appends per key`);
  for (const n of sizes) run(`length (10 clients)`, { txns: n, clients: 10, keys, maxWritesPerKey });
  for (const c of clients) run(`concurrency ${c} clients`, { txns: 100_000, clients: c, keys, maxWritesPerKey });
}

if (process.argv[1]?.endsWith('/txn.js') && process.argv[1].includes('bench')) await main(process.argv.slice(2));
