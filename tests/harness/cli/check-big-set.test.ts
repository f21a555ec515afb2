// A set history too large to search is streamed to the set checker when no checker is named: the answer equals
// the set-full checker's on the whole history, and a history that turns out not to be a set's past its head
// (reads of numbers, a txn op, a transfer) is left to the whole-file path.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkBigSet } from '../../../harness/cli/commands/check-big-set.js';
import { loadHistory, openHistory } from '../../../histories/load.js';
import { checkSet } from '../../../checkers/set.js';
import { gsetHistoryLines } from '../../../bench/gen-histories.js';
import type { Op } from '../../../histories/op.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-bigset-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, lines: string[]): string {
  const f = join(dir, name);
  writeFileSync(f, lines.join('\n') + '\n');
  return f;
}

const gset = (bad: boolean): string[] => [...gsetHistoryLines({ seed: 3, bytes: 800_000, bad })];

/** Ops appended after a history's end, numbered on from it. */
function append(lines: string[], ...ops: Omit<Op, 'index'>[]): string[] {
  const out = [...lines];
  for (const op of ops) out.push(JSON.stringify({ index: out.length, ...op }));
  return out;
}

describe('checkBigSet', () => {
  for (const bad of [false, true]) {
    it(`equals set-full on the whole history (${bad ? 'a lost element' : 'no loss'})`, async () => {
      const f = write(`g-${bad}.jsonl`, gset(bad));
      const got = await checkBigSet(await openHistory(f), 'auto', 0);
      expect(got).toBeDefined();
      const whole = await loadHistory(f);
      expect(got!.ops).toBe(whole.ops.length);
      expect(got!.ops).toBeGreaterThan(2000); // past the head the decision is made from
      expect(got!.result).toEqual(checkSet(whole.ops, { linearizable: true }));
      expect(got!.checker).toBe('set-full');
      if (bad) expect(got!.result.stats.lost).toBe(1);
    });
  }

  it('leaves a history at or under the size bound to the whole-file path', async () => {
    const f = write('small.jsonl', gset(false));
    expect(await checkBigSet(await openHistory(f), 'auto')).toBeUndefined();
  });

  it('leaves a register history to the whole-file path', async () => {
    const f = write('reg.jsonl', append([], { process: 0, type: 'invoke', f: 'write', value: 1 }, { process: 0, type: 'ok', f: 'write', value: 1 }));
    expect(await checkBigSet(await openHistory(f), 'auto', 0)).toBeUndefined();
  });

  // What the ops past the head show decides, as it would for the whole file.
  const late: [string, Omit<Op, 'index'>[]][] = [
    ['a read of a number (a counter)', [{ process: 0, type: 'invoke', f: 'read', key: 0 }, { process: 0, type: 'ok', f: 'read', key: 0, value: 3 }]],
    ['a txn of micro-ops', [{ process: 0, type: 'invoke', f: 'txn', value: [['append', 1, 2]] }, { process: 0, type: 'ok', f: 'txn', value: [['append', 1, 2]] }]],
    ['a transfer', [{ process: 0, type: 'invoke', f: 'transfer', value: { from: 0, to: 1, amount: 1 } }, { process: 0, type: 'ok', f: 'transfer', value: { from: 0, to: 1, amount: 1 } }]],
    ['an acquire (a mutex)', [{ process: 0, type: 'invoke', f: 'acquire' }, { process: 0, type: 'ok', f: 'acquire' }]],
  ];
  for (const [what, ops] of late) {
    it(`falls back when ${what} comes after the head`, async () => {
      const f = write(`late-${what.length}.jsonl`, append(gset(false), ...ops));
      expect(await checkBigSet(await openHistory(f), 'auto', 0)).toBeUndefined();
    });
  }
});
