/** Every history in Knossos' test corpus survives EDN -> ops -> EDN -> ops unchanged. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { historyToEdn, parseEdnHistory } from '../../../histories/jepsen/edn-history.js';
import { opSchema } from '../../../histories/op.js';
import { canonicalJsonl } from './helpers.js';

import { KNOSSOS as CORPUS } from '../../paths.js';

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
}

const files = walk(CORPUS);

describe('Knossos corpus round trip', () => {
  it('finds the corpus', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it.each(files.map((f) => [relative(CORPUS, f), f]))('%s', (_name, path) => {
    const text = readFileSync(path, 'utf8');
    const first = parseEdnHistory(text, { file: path });
    if (text.trim() === '') {
      expect(first.ops).toEqual([]);
      expect(first.warnings.join('\n')).toMatch(/empty/);
      return;
    }
    expect(first.ops.length).toBeGreaterThan(0);
    for (const op of first.ops) expect(opSchema().safeParse(op).success).toBe(true);
    first.ops.forEach((op, i) => expect(op.index).toBe(i));
    const edn = historyToEdn(first.ops);
    const second = parseEdnHistory(edn);
    expect(canonicalJsonl(second.ops)).toBe(canonicalJsonl(first.ops));
    // Writing again gives the same text: the writer is deterministic.
    expect(historyToEdn(second.ops)).toBe(edn);
  });
});
