// jepsen.log read op by op (streamHistory) gives the same ops, warnings and errors as read whole (loadHistory),
// and the set checker fed the streamed ops answers as on the whole history, on good and bad set logs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadHistory, streamHistory } from '../../../histories/load.js';
import { checkSet, setStream } from '../../../checkers/set.js';
import { etcdStyleLog } from '../../../bench/gen-histories.js';
import type { Op } from '../../../histories/op.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-logstream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const write = (text: string): string => {
  const f = join(dir, `h${n++}.log`);
  writeFileSync(f, text);
  return f;
};

async function streamed(f: string): Promise<{ ops: Op[]; warnings: string[] }> {
  const h = await streamHistory(f);
  expect(Array.isArray(h.ops)).toBe(false); // it really streams
  const ops: Op[] = [];
  for await (const op of h.ops) ops.push(op);
  return { ops, warnings: h.warnings };
}

async function whole(f: string): Promise<{ ops: Op[]; warnings: string[] }> {
  const h = await loadHistory(f);
  return { ops: h.ops, warnings: h.warnings };
}

async function error(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

const line = (p: number | string, type: string, f: string, v: string, stamp?: string): string =>
  `${stamp ? `${stamp}{GMT}\tINFO\t[jepsen worker 1] jepsen.util: ` : 'INFO  jepsen.util - '}${p}\t:${type}\t:${f}\t${v}`;

/** A g-set log: adds of 1..n by 4 processes, whole-set reads; `lose` drops an acknowledged element from every read after it. */
function setLog(n: number, lose?: number): string {
  const out = ['INFO  jepsen.core - Running test'];
  const added: number[] = [];
  for (let e = 1; e <= n; e++) {
    const p = e % 4;
    out.push(line(p, 'invoke', 'add', String(e)), line(p, 'ok', 'add', String(e)));
    added.push(e);
    if (e % 3 === 0) {
      const seen = added.filter((x) => x !== lose || e < lose + 3);
      out.push(line(9, 'invoke', 'read', 'nil'), line(9, 'ok', 'read', `#{${seen.join(' ')}}`));
    }
  }
  return out.join('\n') + '\n';
}

describe('jepsen.log streamed', () => {
  const cases: [string, string][] = [
    ...[1, 2, 7, 19].map((seed): [string, string] => [`etcd-style seed ${seed}`, etcdStyleLog({ seed, ops: 120, clients: 5, bad: seed % 2 === 0 })]),
    ['timestamps, earliest not first', [line(0, 'invoke', 'write', '1', '2017-03-18 13:00:50,123'), line(0, 'ok', 'write', '1', '2017-03-18 13:00:50,001'), line(1, 'invoke', 'read', 'nil', '2017-03-18 13:00:51,000'), line(1, 'ok', 'read', '1', '2017-03-18 13:00:52,500')].join('\n')],
    ['timestamps on some lines only', [line(0, 'invoke', 'write', '1', '2017-03-18 13:00:50,123'), line(0, 'ok', 'write', '1')].join('\n')],
    ['independent tuples', [line(0, 'invoke', 'write', '[k1 1]'), line(0, 'ok', 'write', '[k1 1]'), line(1, 'invoke', 'cas', '[k2 [1 2]]'), line(1, 'info', 'cas', ':timed-out')].join('\n')],
    ['tuples that are not all independent', [line(0, 'invoke', 'write', '[1 2]'), line(0, 'ok', 'write', '[1 2]'), line(1, 'invoke', 'write', '3'), line(1, 'ok', 'write', '3')].join('\n')],
    ['nemesis lines and an error column', [line(':nemesis', 'info', 'start', 'nil'), line(0, 'invoke', 'read', 'nil'), line(0, 'fail', 'read', 'nil\t:timeout'), line(':nemesis', 'info', 'stop', '"healed"')].join('\n')],
    ['a set log', setLog(40)],
  ];
  for (const [name, text] of cases) {
    it(`gives the ops and warnings of the whole read: ${name}`, async () => {
      const f = write(text);
      expect(await streamed(f)).toEqual(await whole(f));
    });
  }

  it('refuses what the whole read refuses, with the same message', async () => {
    const start = [line(0, 'invoke', 'write', '1'), line(0, 'ok', 'write', '1')];
    const bad = [[...start, line(1, 'invoke', 'write', '"abc')], [...start, line(1, 'invoke', 'write', `${'['.repeat(700)}${']'.repeat(700)}`)]];
    for (const lines of bad) {
      const f = write(lines.join('\n'));
      const w = await error(whole(f));
      expect(w).toMatch(/malformed EDN/);
      expect(await error(streamed(f))).toBe(w);
    }
    // Forced independent, but a value is no [key value] tuple.
    const f = write([line(0, 'invoke', 'write', '[k 1]'), line(0, 'ok', 'write', '[k 1]'), line(1, 'invoke', 'write', '3')].join('\n'));
    const w = await error(loadHistory(f, { independent: true }));
    expect(w).toMatch(/must be a \[key value\] tuple/);
    expect(await error((async () => { for await (const _ of (await streamHistory(f, { independent: true })).ops) void _; })())).toBe(w);
  });

  for (const lose of [undefined, 10]) {
    it(`the set checker answers as on the whole history (${lose ? 'a lost element' : 'nothing lost'})`, async () => {
      const f = write(setLog(60, lose));
      const sink = setStream({ linearizable: true });
      for await (const op of (await streamHistory(f)).ops) sink.push(op);
      const got = await sink.finish();
      const want = checkSet((await loadHistory(f)).ops, { linearizable: true });
      expect(got).toEqual(want);
      expect(got.valid).toBe(lose === undefined);
    });
  }
});
