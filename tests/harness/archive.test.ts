/** export and import: a run travels whole (gzipped history, report, logs) and a hostile archive writes nothing. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { afterEach, describe, expect, it } from 'vitest';
import { exportRun, importRun } from '../../harness/archive.js';
import { gzipInPlace } from '../../histories/compressed.js';
import { InputError } from '../../histories/errors.js';
import { loadHistory } from '../../histories/load.js';
import { resolveRun } from '../../histories/store.js';
import { makeFixtureRun } from './report/fixture-run.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'faultline-archive-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('export and import', () => {
  it('moves a run with its report, gzipped history and node logs, but not its data', async () => {
    const from = tmp();
    const run = makeFixtureRun(from);
    await gzipInPlace(join(run.dir, 'history.jsonl'));
    mkdirSync(join(run.dir, 'data', 'n1'), { recursive: true });
    writeFileSync(join(run.dir, 'data', 'n1', 'big.db'), 'x'.repeat(1000));
    const file = join(tmp(), 'run.tar.gz');
    const out = await exportRun(run.dir, file);
    expect(out.bytes).toBeGreaterThan(100);

    const to = tmp();
    const imported = await importRun(file, to);
    expect(imported.dir).toBe(join(to, run.test, run.id));
    expect(readdirSync(imported.dir).sort()).toEqual(['faultline.log', 'history.jsonl.gz', 'nodes', 'report.html', 'results.json', 'run.json'].filter((f) => f !== 'faultline.log' || existsSync(join(run.dir, f))).sort());
    expect(readFileSync(join(imported.dir, 'results.json'), 'utf8')).toBe(readFileSync(join(run.dir, 'results.json'), 'utf8'));
    expect((await loadHistory(imported.dir)).ops).toEqual((await loadHistory(run.dir)).ops);
    expect(resolveRun(to, run.test)).toBe(imported.dir);
    await expect(importRun(file, to)).rejects.toThrow(/already holds/);
  });

  it('refuses an archive that climbs out, holds links, or is not a run, and writes nothing', async () => {
    const work = tmp();
    const store = tmp();
    // An entry named ../escaped.txt (written with preservePaths, as a hostile tool would).
    mkdirSync(join(work, 'a', 'b'), { recursive: true });
    writeFileSync(join(work, 'a', 'b', 'run.json'), '{}');
    writeFileSync(join(work, 'escaped.txt'), 'out');
    const climb = join(work, 'climb.tar.gz');
    await tar.c({ gzip: true, file: climb, cwd: join(work, 'a'), preservePaths: true }, ['b/run.json', '../escaped.txt']);
    // A symlink inside an otherwise good run.
    mkdirSync(join(work, 's', 't', 'i'), { recursive: true });
    writeFileSync(join(work, 's', 't', 'i', 'run.json'), '{}');
    symlinkSync('/etc/passwd', join(work, 's', 't', 'i', 'passwd'));
    const link = join(work, 'link.tar.gz');
    await tar.c({ gzip: true, file: link, cwd: join(work, 's') }, ['t/i']);
    const junk = join(work, 'junk.tar.gz');
    writeFileSync(junk, 'not a tar');
    for (const f of [climb, link, junk]) {
      const err = await importRun(f, store).catch((e: unknown) => e);
      expect(err, f).toBeInstanceOf(InputError);
    }
    expect(readdirSync(store)).toEqual([]);
    expect(existsSync(join(store, '..', 'escaped.txt'))).toBe(false);
  });
});
