/**
 * Parsing speed of a Jepsen EDN history: 200k ops (an independent cas-register history with nemesis ops, the
 * shape Jepsen writes) generated in memory, then parsed and written back. Prints ops/s; never fails on speed.
 */
import { fileURLToPath } from 'node:url';
import { historyToEdn, parseEdnHistory } from '../histories/jepsen/edn-history.js';
import { parseJepsenLog } from '../histories/jepsen/log-history.js';

function generateEdn(n: number): string {
  const lines: string[] = [];
  let t = 0;
  for (let i = 0; lines.length < n; i++) {
    const p = i % 10;
    const k = i % 50;
    t += 1000 + (i % 7) * 13;
    if (i % 1000 === 999) {
      lines.push(`{:type :info, :f :start, :process :nemesis, :time ${t}, :value [:isolated {"n1" #{"n2" "n3"}}]}`);
      continue;
    }
    const kind = i % 3;
    const f = kind === 0 ? ':read' : kind === 1 ? ':write' : ':cas';
    const inv = kind === 0 ? `[${k} nil]` : kind === 1 ? `[${k} ${i % 5}]` : `[${k} [${i % 5} ${(i + 1) % 5}]]`;
    const done = kind === 0 ? `[${k} ${i % 5}]` : inv;
    lines.push(`{:type :invoke, :f ${f}, :value ${inv}, :process ${p}, :time ${t}}`);
    lines.push(`{:type :ok, :f ${f}, :value ${done}, :process ${p}, :time ${t + 500}}`);
  }
  return lines.slice(0, n).join('\n') + '\n';
}

function rate(n: number, ms: number): string {
  return `${Math.round(n / (ms / 1000)).toLocaleString('en')} ops/s`;
}

export async function main(argv: string[] = []): Promise<void> {
  const n = Number(argv[0] ?? 200_000);
  const edn = generateEdn(n);
  const t0 = performance.now();
  const parsed = parseEdnHistory(edn);
  const parseMs = performance.now() - t0;
  if (parsed.ops.length !== n) throw new Error(`parsed ${parsed.ops.length} ops, expected ${n}`);
  if (parsed.ops[0].key === undefined) throw new Error('independent tuples were not detected');

  const t1 = performance.now();
  const written = historyToEdn(parsed.ops);
  const writeMs = performance.now() - t1;

  const log = parsed.ops
    .map((op) => `INFO  jepsen.util - ${op.process === 'nemesis' ? ':nemesis' : op.process}\t:${op.type}\t:${op.f}\tnil`)
    .join('\n');
  const t2 = performance.now();
  const fromLog = parseJepsenLog(log);
  const logMs = performance.now() - t2;
  if (fromLog.ops.length !== n) throw new Error(`log: parsed ${fromLog.ops.length} ops, expected ${n}`);

  const rssMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    `jepsen-parse: ${n} ops, ${(edn.length / 1e6).toFixed(1)} MB of EDN parsed in ${(parseMs / 1000).toFixed(2)} s ` +
      `(${rate(n, parseMs)}); written back (${(written.length / 1e6).toFixed(1)} MB) in ${(writeMs / 1000).toFixed(2)} s ` +
      `(${rate(n, writeMs)}); jepsen.log lines parsed at ${rate(n, logMs)}; peak RSS ${rssMb.toFixed(0)} MB`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv.slice(2));
}
