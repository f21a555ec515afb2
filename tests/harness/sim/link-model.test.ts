import { describe, expect, it } from 'vitest';
import { InputError } from '../../../histories/errors.js';
import { LinkModel } from '../../../harness/sim/link-model.js';

const nodes = ['n1', 'n2', 'n3'];

function fates(seed: string, count: number): string[] {
  const m = new LinkModel(nodes, seed);
  m.setFaults({ loss: 0.3, duplicate: 0.2, latencyMs: 10, jitterMs: 5 });
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const f = m.decide('n1', 'n2');
    out.push(f === 'deliver' ? `${m.copies}@${m.delays[0].toFixed(3)}` : String(f));
  }
  return out;
}

describe('link model', () => {
  it('is deterministic per seed and per link, whatever other links do', () => {
    expect(fates('s1', 200)).toEqual(fates('s1', 200));
    expect(fates('s1', 200)).not.toEqual(fates('s2', 200));
    // Interleaving traffic on another link does not change this link's fates.
    const m = new LinkModel(nodes, 's1');
    m.setFaults({ loss: 0.3, duplicate: 0.2, latencyMs: 10, jitterMs: 5 });
    const mixed: string[] = [];
    for (let i = 0; i < 200; i++) {
      m.decide('n3', 'n1');
      const f = m.decide('n1', 'n2');
      mixed.push(f === 'deliver' ? `${m.copies}@${m.delays[0].toFixed(3)}` : String(f));
    }
    expect(mixed).toEqual(fates('s1', 200));
  });

  it('drops about the asked fraction and keeps delays within latency + jitter', () => {
    const all = fates('loss', 5000);
    const lost = all.filter((f) => f === 'lost').length;
    expect(lost).toBeGreaterThan(1300);
    expect(lost).toBeLessThan(1700);
    const dup = all.filter((f) => f.startsWith('2@')).length;
    expect(dup).toBeGreaterThan(500);
    expect(dup).toBeLessThan(900);
    for (const f of all.filter((x) => x.includes('@'))) {
      const d = Number(f.split('@')[1]);
      expect(d).toBeGreaterThanOrEqual(10);
      expect(d).toBeLessThanOrEqual(15);
    }
  });

  it('applies a one-way grudge one way only, and heal undoes it', () => {
    const m = new LinkModel(nodes, 'g');
    m.setGrudge({ n2: ['n1'] });
    expect(m.decide('n1', 'n2')).toBe('partitioned');
    expect(m.decide('n2', 'n1')).toBe('deliver');
    expect(m.decide('n1', 'n3')).toBe('deliver');
    m.setGrudge({ n3: ['n1'] }); // replaces, not adds
    expect(m.decide('n1', 'n2')).toBe('deliver');
    expect(m.decide('n1', 'n3')).toBe('partitioned');
    m.heal();
    expect(m.decide('n1', 'n3')).toBe('deliver');
  });

  it('rejects bad faults and grudges naming unknown nodes with InputError', () => {
    const m = new LinkModel(nodes, 'x');
    expect(() => m.setFaults({ loss: 1.5 })).toThrow(InputError);
    expect(() => m.setFaults({ latencyMs: -1 })).toThrow(/latencyMs/);
    expect(() => m.setGrudge({ n9: ['n1'] })).toThrow(/unknown node "n9"/);
    expect(() => m.setGrudge({ n1: ['n7'] })).toThrow(InputError);
  });
});
