/**
 * The harness must never be the bottleneck: against a no-op in-process target (every op answers at once) the
 * client runner, generators and history writer should record at least 20,000 ops/s on a 2-core machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { JsonlWriter } from '../histories/jsonl-writer.js';
import { ClientRunner } from '../harness/clients.js';
import { Recorder } from '../harness/recorder.js';
import type { Client, Cluster } from '../harness/target.js';
import type { Runtime } from '../harness/runtime.js';

const noopClient: Client = {
  invoke: async (op) => ({ type: 'ok', value: op.f === 'read' ? null : undefined }),
  close: async () => undefined,
};

const noopCluster: Cluster = {
  runtime: {} as Runtime,
  awaitHealthy: async () => undefined,
  openClient: async () => noopClient,
  finalRead: async () => ({ ok: true, value: null }),
  versions: async () => ({}),
};

export async function main(argv: string[] = []): Promise<void> {
  const total = Number(argv[0] ?? 200_000);
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
  try {
    const writer = new JsonlWriter(join(dir, 'history.jsonl'));
    const recorder = new Recorder(writer, performance.now());
    const runner = new ClientRunner({
      cluster: noopCluster,
      nodes: ['n1', 'n2', 'n3', 'n4', 'n5'],
      generator: { workload: 'register', keys: 100, seed: '1' },
      concurrency: 10,
      recorder,
      opTimeoutMs: 1000,
      maxOps: total,
      logger: pino({ level: 'silent' }),
    });
    const t0 = performance.now();
    await runner.run();
    const s = (performance.now() - t0) / 1000;
    writer.close();
    console.log(
      `harness: ${recorder.counts.ok.toLocaleString('en')} ops against a no-op target in ${s.toFixed(2)} s = ` +
        `${Math.round(recorder.counts.ok / s).toLocaleString('en')} ops/s recorded (goal >= 20,000), peak RSS ` +
        `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
