// The hand-written fast check of an op's shape must never accept what OpSchema refuses, and what it accepts
// must come out exactly as OpSchema's parse would give it (fields and their order).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { opSchema } from '../../histories/op.js';
import { quickOp } from '../../histories/op-shape.js';

const fieldValue = fc.oneof(
  fc.integer({ min: -3, max: 5 }),
  fc.constantFrom(0.5, 2 ** 53 + 2, -0, '', 'x', 'nemesis', 'invoke', 'ok', 'fail', 'info', null, true),
  fc.constant([1, 2]),
  fc.constant({ a: 1 }),
);
const names = fc.constantFrom('index', 'type', 'process', 'time', 'f', 'key', 'value', 'node', 'error', 'extra', 'other');

describe('quickOp', () => {
  it('agrees with OpSchema on random objects, fields and order included', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(names, fieldValue), { maxLength: 12 }), fc.boolean(), (pairs, base) => {
        const raw: Record<string, unknown> = base ? { index: 0, type: 'ok', process: 1, f: 'read' } : {};
        for (const [k, v] of pairs) raw[k] = v;
        const quick = quickOp(raw);
        const schema = opSchema().safeParse(raw);
        if (quick !== undefined) {
          accepted++;
          expect(schema.success).toBe(true);
          expect(Object.entries(quick)).toEqual(Object.entries(schema.data!));
        }
      }),
      { numRuns: 2000, seed: 0x09a9e },
    );
    expect(accepted).toBeGreaterThan(50);
  });

  it('takes our own writer order as it is, and reorders others', () => {
    const ours = { index: 0, type: 'ok', process: 1, time: 5, f: 'read', key: 'k', value: 3, node: 'n1', extra: 1 };
    expect(quickOp(ours)).toBe(ours);
    const jumbled = { value: 3, process: 1, f: 'read', index: 0, type: 'ok' };
    expect(Object.keys(quickOp(jumbled)!)).toEqual(['index', 'type', 'process', 'f', 'value']);
  });
});
