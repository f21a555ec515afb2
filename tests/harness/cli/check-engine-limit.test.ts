// A size the JS engine refuses (a Map of 2^24 entries, a string past ~512 MB, ...) met while checking a
// well-formed history ends in `unknown` naming the limit, exit 2: never exit 255. Provoked here by a pairing
// check that meets the engine's Map limit, as a history with 17M processes open at once does.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { checkCommand } from '../../../harness/cli/commands/check.js';
import { inProcess } from './in-process.js';

vi.mock('../../../histories/well-formed.js', async (original) => ({
  ...(await original<typeof import('../../../histories/well-formed.js')>()),
  checkPairing: () => {
    throw new RangeError('Map maximum size exceeded');
  },
}));

const dir = mkdtempSync(join(tmpdir(), 'faultline-engine-limit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('check at a limit of the JS engine', () => {
  it('answers unknown with the engine\'s words, exit 2', async () => {
    const file = join(dir, 'h.jsonl');
    writeFileSync(file, '{"index":0,"type":"invoke","process":0,"f":"write","value":1}\n{"index":1,"type":"ok","process":0,"f":"write","value":1}\n');
    const r = await inProcess(() => checkCommand([file], { json: true, progress: false }));
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout.trim()) as { valid: unknown; reason: string; stats: { limit: string } };
    expect(out.valid).toBe('unknown');
    expect(out.reason).toMatch(/^size: .*\(Map maximum size exceeded\)$/);
    expect(out.stats.limit).toBe('size');

    const text = await inProcess(() => checkCommand([file], { progress: false }));
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/could not decide: size: .*Map maximum size exceeded/);
  });

});
