// The client runner: many slots waiting on one stop signal is expected, and must not make Node warn of a leak.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import pino from 'pino';
import { ClientRunner } from '../../harness/clients.js';
import { Recorder } from '../../harness/recorder.js';
import { JsonlWriter } from '../../histories/jsonl-writer.js';
import type { Cluster } from '../../harness/target.js';
import { tempDir } from '../tmp.js';

describe('ClientRunner', () => {
  it('runs 30 rate-limited slots on one stop signal without a MaxListenersExceededWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    const writer = new JsonlWriter(join(tempDir(), 'history.jsonl'));
    const cluster = { openClient: async () => ({ invoke: async () => ({ type: 'ok' as const }), close: async () => {} }) } as unknown as Cluster;
    const nodes = Array.from({ length: 30 }, (_, i) => `n${i + 1}`);
    const runner = new ClientRunner({
      cluster,
      nodes,
      generator: { workload: 'echo', keys: 1, seed: 'clients' },
      concurrency: 30,
      recorder: new Recorder(writer, performance.now()),
      opTimeoutMs: 1000,
      rate: 100,
      maxOps: 60,
      logger: pino({ level: 'silent' }),
    });
    try {
      const done = runner.run();
      await new Promise((r) => setTimeout(r, 300));
      runner.stop();
      await done;
      // Warnings are emitted on the next tick.
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
      writer.close();
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });
});
