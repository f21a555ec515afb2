/**
 * Temporary folders for tests that remove themselves: every folder made here is deleted after the test file's
 * last test, pass or fail (vitest's afterAll, registered when a test file imports this module).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];

afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh folder under the system temp dir, removed when the test file is done. */
export function tempDir(prefix = 'faultline-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}
