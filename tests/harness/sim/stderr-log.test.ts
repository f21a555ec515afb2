// Node stderr (harness/sim/stderr-log.ts): every line kept up to the cap, the cap held across restarts, a
// note in the file and in the runtime's notes when it is reached, and the node never held back by it.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { StderrLog } from '../../../harness/sim/stderr-log.js';
import { isAlive, Scope } from './helpers.js';

const scope = new Scope();
afterEach(async () => {
  const pids = await scope.cleanup();
  expect(pids.filter(isAlive)).toEqual([]);
});

const endOf = async (log: StderrLog) => {
  log.end();
  await log.closed;
};

describe('node stderr logs', () => {
  it('keeps everything under the cap, cuts at the cap with a note, and holds the cap across incarnations', async () => {
    const path = join(scope.tempDir(), 'n1.log');
    const echoed: string[] = [];
    const a = new StderrLog({ path, maxBytes: 100, echo: (l) => echoed.push(l) });
    a.write(Buffer.from('one\ntw'));
    a.write(Buffer.from('o\n'));
    await endOf(a);
    expect(readFileSync(path, 'utf8')).toBe('one\ntwo\n');
    expect(echoed).toEqual(['one', 'two']);
    expect(a.stats).toEqual({ bytes: 8, dropped: 0, capped: false });

    const b = new StderrLog({ path, maxBytes: 100 });
    b.write(Buffer.alloc(150, 'y'));
    b.write(Buffer.from('AFTERCAP\n'));
    await endOf(b);
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith('one\ntwo\n' + 'y'.repeat(92))).toBe(true);
    expect(text).toMatch(/reached its cap of 100 bytes/);
    expect(text).not.toMatch(/AFTERCAP/);
    expect(b.stats).toEqual({ bytes: 159, dropped: 67, capped: true });

    const c = new StderrLog({ path, maxBytes: 100 });
    c.write(Buffer.from('after restart\n'));
    await endOf(c);
    expect(c.stats.capped).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('a node that logs its whole state on every message is capped, says so, and still answers', async () => {
    const dir = scope.tempDir();
    const rt = scope.fixture('chatty-echo.mjs', 2, { logDir: join(dir, 'logs'), logMaxBytes: 64 * 1024 });
    await rt.start();
    for (let i = 0; i < 40; i++) expect(await rt.request('n1', { type: 'echo', echo: i }, 5000)).toMatchObject({ type: 'echo_ok', echo: i });
    await rt.teardown();
    expect(statSync(join(dir, 'logs', 'n1.log')).size).toBeLessThan(64 * 1024 + 200);
    const notes = rt.logNotes();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^n1\.log reached its cap of 65536 bytes: \d+ bytes of its stderr were not kept$/);
  });
});
