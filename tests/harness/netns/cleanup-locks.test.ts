/**
 * What `faultline cleanup` without a run id picks: objects of ours that no live run claims, but not a subnet
 * reservation made in the last minute with no state file yet (a starting run reserves its subnet a moment
 * before it records its state, and a concurrent cleanup must not hand that subnet to the next run).
 */
import { describe, expect, it } from 'vitest';
import { tagsToClean } from '../../../harness/netns/cleanup.js';

describe('netns cleanup: which runs it cleans', () => {
  const live = new Set(['aaaaaa']);
  const all = (locks: { tag: string; ageMs: number }[]) =>
    [...tagsToClean(null, [], live, ['fl-aaaaaa-hub', 'fl-bbbbbb-n0', 'other'], ['flccccccr0', 'eth0'], locks)].sort();

  it('takes unclaimed namespaces and links, never a live run', () => {
    expect(all([])).toEqual(['bbbbbb', 'cccccc']);
  });

  it('keeps a young unrecorded subnet reservation and releases an old one', () => {
    expect(all([{ tag: 'dddddd', ageMs: 2_000 }])).toEqual(['bbbbbb', 'cccccc']);
    expect(all([{ tag: 'dddddd', ageMs: 120_000 }, { tag: 'aaaaaa', ageMs: 120_000 }])).toEqual(['bbbbbb', 'cccccc', 'dddddd']);
  });

  it('with a run id, takes that run only', () => {
    expect([...tagsToClean('eeeeee', [], live, ['fl-bbbbbb-n0'], [], [])]).toEqual(['eeeeee']);
  });
});
