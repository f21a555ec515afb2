import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tempDir } from '../tmp.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRunDir, dropDeadRunIdClaims, listRuns, releaseRunId, readMeta, resolveRun, writeMeta, writeResults } from '../../histories/store.js';
import type { RunMeta } from '../../histories/run-record.js';
import { InputError } from '../../histories/errors.js';

const config = {
  target: 'builtin', config: 'raft', runtime: 'sim', nodes: 5, workload: 'register', keys: 10, concurrency: 10,
  timeLimit: 30, nemesis: ['partition'], nemesisInterval: 5, opTimeout: 1, quiescence: 3, convergenceBound: 10,
  maxOps: 1000, seed: '7',
} as const;

function meta(id: string, test: string): RunMeta {
  return { id, test, startedAt: new Date().toISOString(), status: 'done', seed: '7', config: { ...config, nemesis: ['partition'] }, versions: {}, faultSchedule: [] };
}

describe('run store', () => {
  it('lays out runs by test and timestamp, points latest at the newest, lists newest first', () => {
    const root = tempDir('faultline-store-');
    const claims = tempDir('faultline-claims-');
    const a = createRunDir(root, 'builtin-raft-register', new Date('2026-01-01T00:00:00Z'), claims);
    writeMeta(a.dir, meta(a.id, a.test));
    const b = createRunDir(root, 'builtin-raft-register', new Date('2026-01-02T00:00:00Z'), claims);
    writeMeta(b.dir, meta(b.id, b.test));
    writeResults(b.dir, { valid: false, checkers: [], summary: { ops: 10, clientOps: 5, faults: 2, durationS: 1, opsPerSec: 5 } });
    const runs = listRuns(root);
    expect(runs.map((r) => r.id)).toEqual([b.id, a.id]);
    expect(runs[0].results?.valid).toBe(false);
    expect(resolveRun(root, 'builtin-raft-register')).toBe(b.dir);
    expect(resolveRun(root, 'latest')).toBe(b.dir);
    expect(resolveRun(root, `builtin-raft-register/${a.id}`)).toBe(a.dir);
    expect(readMeta(a.dir).seed).toBe('7');
  });

  it('reports a malformed run.json instead of half-reading it', () => {
    const root = tempDir('faultline-store-');
    const a = createRunDir(root, 't', new Date(), tempDir('faultline-claims-'));
    writeFileSync(join(a.dir, 'run.json'), '{"id": 3}');
    expect(() => readMeta(a.dir)).toThrow(InputError);
    expect(listRuns(root)[0].problem).toMatch(/run.json is malformed/);
    expect(() => resolveRun(root, 'nope')).toThrow(/no stored run "nope"/);
  });

  it('gives runs that start in the same millisecond in different stores different ids while the first lives', () => {
    const claims = tempDir('faultline-claims-');
    const now = new Date('2026-03-04T05:06:07.089Z');
    const stamp = '2026-03-04T05-06-07.089Z';
    // Another live process (init) holds the plain id: this run gets the next one, as a second run in one store does.
    writeFileSync(join(claims, stamp), '1');
    const a = createRunDir(tempDir('faultline-store-'), 't', now, claims);
    expect(a.id).toBe(`${stamp}-1`);
    // This process now holds "-1": another store in the same millisecond moves on again.
    expect(createRunDir(tempDir('faultline-store-'), 't', now, claims).id).toBe(`${stamp}-2`);
    // A claim whose process is gone (a run killed with -9) is taken over, and cleanup drops such claims.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(join(claims, stamp), dead);
    expect(createRunDir(tempDir('faultline-store-'), 't', now, claims).id).toBe(stamp);
    expect(readFileSync(join(claims, stamp), 'utf8')).toBe(String(process.pid));
    writeFileSync(join(claims, 'other'), dead);
    dropDeadRunIdClaims(claims);
    expect(existsSync(join(claims, 'other'))).toBe(false);
    expect(existsSync(join(claims, stamp))).toBe(true);
    // A finished run gives its id back.
    releaseRunId(stamp, claims);
    expect(existsSync(join(claims, stamp))).toBe(false);
  });
});
