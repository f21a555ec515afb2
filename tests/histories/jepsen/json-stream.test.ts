// A Jepsen-style JSON array read element by element (streamJsonHistory, fed in pieces of any size) gives the same
// ops and warnings as read whole (parseJsonHistory), and refuses what the whole read refuses; so a JSON history
// past V8's longest string is read without ever being one string.
import { describe, expect, it } from 'vitest';
import { parseJsonHistory, streamJsonHistory } from '../../../histories/jepsen/json-history.js';
import { JsonArrayScanner } from '../../../histories/jepsen/json-elements.js';
import type { Op } from '../../../histories/op.js';
import { pieces } from './helpers.js';

type Read = { ops: Op[]; warnings: string[] } | { error: string };

async function streamed(text: string, max: number, independent: boolean | 'auto' = 'auto', once = false): Promise<Read> {
  const warnings: string[] = [];
  const ops: Op[] = [];
  try {
    for await (const op of streamJsonHistory(pieces(text, max), { file: 'h.json', independent }, (w) => warnings.push(...w), once)) ops.push(op);
  } catch (e) {
    return { error: (e as Error).message };
  }
  return { ops, warnings };
}

function whole(text: string, independent: boolean | 'auto' = 'auto'): Read {
  try {
    const r = parseJsonHistory(text, { file: 'h.json', independent });
    return { ops: r.ops, warnings: r.warnings };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

const GOOD: Record<string, string> = {
  register: `[{"type": "invoke", "process": 0, "f": "write", "value": 1},
 {"type": "ok", "process": 0, "f": "write", "value": 1},
 {"type": ":invoke", "process": 1, "f": ":read", "value": null},
 {"type": ":ok", "process": 1, "f": ":read", "value": 1}]`,
  'strings with brackets, quotes, escapes and newlines': `[
  {"type": "invoke", "process": 0, "f": "write", "value": "a]}[{,\\" \\\\"},
  {"type": "ok", "process": 0, "f": "write", "value": "a]}[{,\\" \\\\", "note": "line\\nbreak"}
]`,
  'nested values and extra fields': `[{"type":"invoke","process":0,"f":"txn","value":[["append",1,2],["r",1,null]],"extra":{"a":[1,{"b":[]}]}},{"type":"ok","process":0,"f":"txn","value":[["append",1,2],["r",1,[2]]]}]`,
  'independent tuples': `[{"type":"invoke","process":0,"f":"write","value":[1,5]},{"type":"ok","process":0,"f":"write","value":[1,5]},{"type":"invoke","process":1,"f":"read","value":[2,null]},{"type":"ok","process":1,"f":"read","value":[2,0]}]`,
  'with a BOM, out-of-order indices and a nemesis': `\ufeff[{"index": 5, "type":"info","process":"nemesis","f":"start","value":null},{"index": 9, "type":"invoke","process":0,"f":"read","value":null},{"index": 1, "type":"ok","process":0,"f":"read","value":12345678901234567890}]`,
  'empty array': '[ ]\n',
  'whitespace everywhere': ' \n [ \n {"type":"invoke","process":0,"f":"read"} \n , \n {"type":"ok","process":0,"f":"read","value":0} \n ] \n ',
};

const BAD: Record<string, string> = {
  'a number element': '[{"type":"invoke","process":0,"f":"read"}, 7]',
  'a string element': '[{"type":"invoke","process":0,"f":"read"}, "x"]',
  'an array element': '[[1, 2]]',
  'not an array': '{"type":"invoke","process":0,"f":"read"}',
  'a bad op field': '[{"type":"begin","process":0,"f":"read"}]',
  'a number out of range': '[{"type":"invoke","process":0,"f":"write","value":1e400}]',
};

const MALFORMED: Record<string, string> = {
  unclosed: '[{"type":"invoke","process":0,"f":"read"}',
  'cut inside an element': '[{"type":"invoke","process":0,"f":"re',
  'trailing comma': '[{"type":"invoke","process":0,"f":"read"},]',
  'two commas': '[{"type":"invoke","process":0,"f":"read"},,{"type":"ok","process":0,"f":"read"}]',
  'missing comma': '[{"type":"invoke","process":0,"f":"read"} {"type":"ok","process":0,"f":"read"}]',
  'text after the array': '[{"type":"invoke","process":0,"f":"read"}] x',
  'a broken element': '[{"type":"invoke","process":0,"f":"read",}]',
};

describe('streamJsonHistory', () => {
  for (const [name, text] of Object.entries(GOOD)) {
    it(`reads ${name} as the whole read does, in pieces of any size`, async () => {
      const w = whole(text);
      expect(w).not.toHaveProperty('error');
      for (const max of [1, 3, 16, 4096]) expect(await streamed(text, max)).toEqual(w);
      expect(await streamed(text, 3, 'auto', true)).toEqual(w);
    });
  }

  it('forcing --independent on a history without tuples fails as the whole read does', async () => {
    const text = GOOD.register;
    const w = whole(text, true);
    expect(w).toHaveProperty('error');
    expect(await streamed(text, 5, true)).toEqual(w);
    expect(await streamed(text, 5, true, true)).toEqual(w);
  });

  for (const [name, text] of Object.entries(BAD)) {
    it(`refuses ${name} with the whole read's message`, async () => {
      const w = whole(text) as { error: string };
      expect(w.error).toBeDefined();
      for (const max of [1, 7, 4096]) expect(await streamed(text, max)).toEqual({ error: w.error });
      expect(await streamed(text, 7, 'auto', true)).toEqual({ error: w.error });
    });
  }

  for (const [name, text] of Object.entries(MALFORMED)) {
    it(`refuses malformed JSON (${name})`, async () => {
      expect(whole(text)).toHaveProperty('error');
      for (const max of [1, 7, 4096]) {
        const r = await streamed(text, max);
        expect((r as { error: string }).error).toMatch(/malformed JSON history/);
      }
    });
  }

  it('holds one element at a time: each is handed on as soon as it ends, with the line it starts on', () => {
    const seen: [string, number][] = [];
    const s = new JsonArrayScanner('h.json', (text, line) => seen.push([text, line]));
    s.feed('[{"a": "x\\n"},\n {"b"');
    expect(seen).toEqual([['{"a": "x\\n"}', 1]]);
    s.feed(': [1, 2]}\n, 3 ]', true);
    expect(seen).toEqual([
      ['{"a": "x\\n"}', 1],
      ['{"b": [1, 2]}', 2],
      ['3', 3],
    ]);
  });
});
