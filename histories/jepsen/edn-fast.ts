/**
 * A fast path for the EDN that jepsen.log op fields nearly always hold: small integers, nil, true/false,
 * keywords, plain strings and vectors of these (`3`, `:cas`, `[1 4]`, `"x 1 y"`, `nil`). Reading them through
 * edn-data costs a parser run per field, which dominated reading a directory of logs. Anything else (maps, sets,
 * lists, escapes, floats, big or odd numbers, tags, symbols, comments) is left to the full reader: `fastForm`
 * returns undefined and the caller falls back, so the result is always the one edn-data would give.
 */

export interface FastForm {
  value: unknown;
  /** The whole form is a keyword (the log reader treats an :info's keyword value as its error). */
  keyword: boolean;
}

/** Keyword names read back identically (no namespace, no characters edn-data treats specially). */
const KEYWORD = /^:[A-Za-z*!_?<>=][A-Za-z0-9*+!_?<>=.-]*$/;
/** Integers a double holds exactly; `-0` and leading zeros go to the full reader. */
const INTEGER = /^-?[1-9][0-9]{0,14}$|^0$/;

/** Vectors nested deeper than this go to the full reader (which enforces the nesting limit). */
const MAX_DEPTH = 32;

const NIL: FastForm = { value: null, keyword: false };
const TRUE: FastForm = { value: true, keyword: false };
const FALSE: FastForm = { value: false, keyword: false };

/** One token's value, or undefined when the fast path does not cover it. */
function atom(tok: string): FastForm | undefined {
  const c = tok.charCodeAt(0);
  if (c === 58 /* : */) return KEYWORD.test(tok) ? { value: tok.slice(1), keyword: true } : undefined;
  if (c === 34 /* " */) {
    if (tok.length < 2 || tok.charCodeAt(tok.length - 1) !== 34) return undefined;
    const body = tok.slice(1, -1);
    return body.includes('"') || body.includes('\\') ? undefined : { value: body, keyword: false };
  }
  if (tok === 'nil') return NIL;
  if (tok === 'true') return TRUE;
  if (tok === 'false') return FALSE;
  if (INTEGER.test(tok)) return { value: Number(tok), keyword: false };
  return undefined;
}

/** The value of one EDN form in `text`, or undefined when the fast path does not cover it. */
export function fastForm(text: string): FastForm | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  // Shared results (nil, true, false) are never changed by the callers, which only read them.
  if (s.charCodeAt(0) !== 91 /* [ */) return atom(s);
  // A vector: scan tokens, building nested arrays with an explicit stack.
  const stack: unknown[][] = [];
  let top: unknown[] | undefined;
  let result: unknown[] | undefined;
  let i = 0;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 44 || c === 9) {
      i++;
      continue;
    }
    if (result !== undefined) return undefined; // text after the closing bracket
    if (c === 91 /* [ */) {
      if (stack.length >= MAX_DEPTH) return undefined;
      const v: unknown[] = [];
      if (top) top.push(v);
      stack.push(v);
      top = v;
      i++;
      continue;
    }
    if (c === 93 /* ] */) {
      const done = stack.pop();
      if (!done) return undefined;
      top = stack[stack.length - 1];
      if (!top) result = done;
      i++;
      continue;
    }
    if (!top) return undefined;
    let j = i;
    if (c === 34 /* " */) {
      j = s.indexOf('"', i + 1);
      if (j < 0) return undefined;
      j++;
    } else {
      while (j < n) {
        const d = s.charCodeAt(j);
        if (d === 32 || d === 44 || d === 9 || d === 91 || d === 93 || d === 34 || d === 123 || d === 125 || d === 40 || d === 41 || d === 59 || d === 35) break;
        j++;
      }
      if (j === i) return undefined; // a character only the full reader knows: { } ( ) ; #
    }
    const a = atom(s.slice(i, j));
    if (a === undefined) return undefined;
    top.push(a.value);
    i = j;
  }
  return result === undefined ? undefined : { value: result, keyword: false };
}
