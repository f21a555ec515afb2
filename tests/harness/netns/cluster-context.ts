/** A TargetContext for the real-target tests, with per-test temporary folders. */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Grudge } from '../../../harness/runtime.js';
import type { TargetContext, WorkloadName } from '../../../harness/target.js';

export function testContext(prefix: string, nodes: string[], config: string, workload: WorkloadName): { ctx: TargetContext; dispose: () => void } {
  const work = mkdtempSync(join(tmpdir(), `fl-${prefix}-`));
  // Targets that run as their own user (postgres) must be able to enter the folder.
  chmodSync(work, 0o755);
  const ctx: TargetContext = {
    runId: `${prefix}-${process.pid}-${Date.now()}`,
    nodes,
    config,
    workload,
    dataDir: join(work, 'data'),
    logDir: join(work, 'logs'),
    seed: '1',
    logger: pino({ level: 'silent' }),
    runtime: 'netns',
  };
  return { ctx, dispose: () => (process.env.FL_KEEP_WORK ? undefined : rmSync(work, { recursive: true, force: true })) };
}

/** Cut `lonely` off from every other node, both ways. */
export function isolate(lonely: string, nodes: string[]): Grudge {
  const rest = nodes.filter((n) => n !== lonely);
  const g: Grudge = { [lonely]: rest };
  for (const n of rest) g[n] = [lonely];
  return g;
}

export function nodeNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `n${i + 1}`);
}

/** Retry `fn` until it returns a value `ok` accepts, at most `tries` times, `pauseMs` apart. */
export async function retry<T>(fn: () => Promise<T>, ok: (v: T) => boolean, tries: number, pauseMs: number): Promise<T> {
  let v = await fn();
  for (let i = 1; i < tries && !ok(v); i++) {
    await new Promise((r) => setTimeout(r, pauseMs));
    v = await fn();
  }
  return v;
}
