/* global performance */
// Router throughput: n1 floods N one-way messages to n2 through the sim runtime; reports messages/s from
// the flood request to the moment n2 has counted them all. Run after a build:
//   npx tsc -p tsconfig.build.json && node tests/harness/sim/router-bench.mjs [N] [--loss P] [--latency MS]
// (The lead may move this under bench/; it lives here because bench/ belongs to another engineer.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..', '..');
const { SimRuntime } = await import(join(root, 'dist', 'harness', 'sim', 'sim-runtime.js'));
const { values, positionals } = parseArgs({ options: { loss: { type: 'string' }, latency: { type: 'string' } }, allowPositionals: true });
const count = Number(positionals[0] ?? 200_000);
const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
const rt = new SimRuntime({
  nodes: ['n1', 'n2'],
  command: process.execPath,
  args: [join(root, 'tests', 'fixtures', 'maelstrom', 'flood.mjs')],
  dataDir: join(dir, 'data'),
  logDir: join(dir, 'logs'),
  seed: 'bench',
});
try {
  await rt.start();
  if (values.loss || values.latency) await rt.setLinkFaults({ loss: Number(values.loss ?? 0), latencyMs: Number(values.latency ?? 0) });
  const t0 = performance.now();
  await rt.request('n1', { type: 'flood', peer: 'n2', count }, 120_000);
  const expected = () => rt.stats().delivered + rt.stats().dropped;
  for (let i = 0; i < 12_000 && expected() < count; i++) await new Promise((r) => setTimeout(r, 5));
  for (let i = 0; i < 12_000; i++) {
    const r = await rt.request('n2', { type: 'count' }, 10_000);
    if (r.received >= rt.stats().delivered) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const secs = (performance.now() - t0) / 1000;
  const st = rt.stats();
  console.log(JSON.stringify({ messages: count, seconds: Number(secs.toFixed(3)), perSecond: Math.round(count / secs), delivered: st.delivered, dropped: st.dropped }));
} finally {
  await rt.teardown();
  rmSync(dir, { recursive: true, force: true });
}
