/** The one invoke/completion pairing (histories/pairing.ts) and the rules its three readers choose. */
import { describe, expect, it } from 'vitest';
import { FINAL_READ } from '../../histories/conventions.js';
import { InputError } from '../../histories/errors.js';
import type { Op } from '../../histories/op.js';
import { pairOps, type OpPair } from '../../histories/pairing.js';
import { checkPairing } from '../../histories/well-formed.js';

let index = 0;
function ev(type: Op['type'], process: Op['process'], f: string, extra: Partial<Op> = {}): Op {
  return { index: index++, type, process, f, ...extra } as Op;
}

function history(): Op[] {
  index = 0;
  return [
    ev('invoke', 0, 'write', { value: 1 }),
    ev('invoke', 1, 'read'),
    ev('info', 'nemesis', 'start-kill'),
    ev('info', 1, 'read'), // indeterminate: closes the op all the same
    ev('invoke', 2, 'write', { value: 2 }),
    ev('fail', 2, 'write', { value: 2 }),
    ev('ok', 0, 'write', { value: 1 }),
    ev('invoke', 1_000_000_000, FINAL_READ, { node: 'n1' }),
    ev('invoke', 'final-reads', FINAL_READ, { node: 'n1' }),
    ev('invoke', 'final-reads', FINAL_READ, { node: 'n2' }), // a named actor may have several ops open
    ev('ok', 'final-reads', FINAL_READ, { node: 'n2', value: 3 }),
    ev('info', 'final-reads', 'bare'), // a named actor's bare event: not an error, not an op
    ev('ok', 1_000_000_000, FINAL_READ, { node: 'n1', value: 3 }),
    ev('invoke', 0, 'read'), // never completed
  ];
}

const summary = (ps: { invoke: Op; completion?: Op; invokePos: number; completePos: number }[]): unknown[] =>
  ps.map((p) => [p.invoke.process, p.invoke.f, p.completion?.type ?? 'pending', p.invokePos, p.completePos]);

describe('pairOps', () => {
  it('default rules: numeric processes only, final reads kept, ok/fail/info all close an op, the rest stay open', () => {
    expect(summary(pairOps(history()))).toEqual([
      [0, 'write', 'ok', 0, 6],
      [1, 'read', 'info', 1, 3],
      [2, 'write', 'fail', 4, 5],
      [1_000_000_000, FINAL_READ, 'ok', 7, 12],
      [0, 'read', 'pending', 13, Infinity],
    ]);
  });

  it('skipFinalReads leaves out final reads whatever their process', () => {
    const ps = pairOps(history(), { skipFinalReads: true, namedActors: true });
    expect(ps.map((p) => p.invoke.f)).toEqual(['write', 'read', 'write', 'read']);
  });

  it('namedActors pairs named processes by what each op is about, never the nemesis', () => {
    const ps = pairOps(history(), { namedActors: true });
    expect(summary(ps.filter((p) => p.invoke.process === 'final-reads'))).toEqual([
      ['final-reads', FINAL_READ, 'pending', 8, Infinity],
      ['final-reads', FINAL_READ, 'ok', 9, 10],
    ]);
    expect(ps.some((p) => p.invoke.process === 'nemesis')).toBe(false);
  });

  it('rejects a client that invokes twice or completes what it never invoked, naming the line', () => {
    index = 0;
    const twice = [ev('invoke', 3, 'read'), ev('invoke', 3, 'write')];
    const err = (() => {
      try {
        pairOps(twice);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).line).toBe(2);
    expect((err as InputError).message).toBe('process 3 invoked op 1 while its op 0 had not completed (read, then write)');
    index = 0;
    expect(() => pairOps([ev('ok', 2, 'read')])).toThrow('op 0: process 2 completed read (ok) without invoking it');
    // A named actor's twice-open op is an error too.
    index = 0;
    expect(() => pairOps([ev('invoke', 'a', 'r', { node: 'n1' }), ev('invoke', 'a', 'r', { node: 'n1' })], { namedActors: true })).toThrow(
      /had not completed/,
    );
  });

  it('sameF refuses a completion of another f; without it the completion closes the op', () => {
    index = 0;
    const mixed = [ev('invoke', 0, 'read'), ev('ok', 0, 'write')];
    expect(() => pairOps(mixed, { sameF: true })).toThrow(/completed f=write but had invoked f=read \(op 0\)/);
    expect(summary(pairOps(mixed))).toEqual([[0, 'read', 'ok', 0, 1]]);
  });

  it('builds the caller’s own records and sets the completion on them', () => {
    const ps = pairOps(history(), {}, (invoke, pos): OpPair & { tag: string } => ({ invoke, invokePos: pos, completePos: Infinity, tag: `#${pos}` }));
    expect(ps.map((p) => p.tag)).toEqual(['#0', '#1', '#4', '#7', '#13']);
    expect(ps[0].completion?.index).toBe(6);
  });

  it('the loader\'s check refuses the same histories in the same words, naming the file', () => {
    index = 0;
    const twice = [ev('invoke', 3, 'read'), ev('invoke', 3, 'write')];
    index = 0;
    const orphan = [ev('ok', 2, 'read')];
    for (const bad of [twice, orphan]) {
      const said = (f: () => void): InputError | undefined => {
        try {
          f();
        } catch (e) {
          return e as InputError;
        }
      };
      const a = said(() => checkPairing(bad, 'h.jsonl'));
      const b = said(() => pairOps(bad));
      expect(a).toBeInstanceOf(InputError);
      expect(a?.message).toBe(b?.message);
      expect(a?.file).toBe('h.jsonl');
    }
  });
});
