import { describe, expect, it } from 'vitest';
import { ErrorCode, errorName, isDefiniteError, MessageSchema, InitBodySchema } from '../../../harness/sim/protocol.js';

describe('maelstrom protocol', () => {
  it('marks exactly the definite codes of doc/protocol.md as definite', () => {
    const definite = Object.values(ErrorCode).filter(isDefiniteError).sort((a, b) => a - b);
    expect(definite).toEqual([1, 10, 11, 12, 14, 20, 21, 22, 30]);
    expect(isDefiniteError(ErrorCode.timeout)).toBe(false);
    expect(isDefiniteError(ErrorCode.crash)).toBe(false);
    expect(isDefiniteError(1000)).toBe(false); // custom codes are indefinite
  });

  it('names codes as maelstrom does', () => {
    expect(errorName(11)).toBe('temporarily-unavailable');
    expect(errorName(20)).toBe('key-does-not-exist');
    expect(errorName(1234)).toBe('error-1234');
  });

  it('validates envelopes and init bodies', () => {
    expect(MessageSchema.safeParse({ src: 'n1', dest: 'c1', body: { type: 'read_ok', in_reply_to: 3, value: 1 } }).success).toBe(true);
    expect(MessageSchema.safeParse({ src: 'n1', body: { type: 'x' } }).success).toBe(false);
    expect(MessageSchema.safeParse({ src: 'n1', dest: 'n2', body: { msg_id: 1 } }).success).toBe(false);
    expect(InitBodySchema.safeParse({ type: 'init', msg_id: 1, node_id: 'n1', node_ids: ['n1'] }).success).toBe(true);
    expect(InitBodySchema.safeParse({ type: 'init', msg_id: 1, node_id: 'n1' }).success).toBe(false);
  });
});
