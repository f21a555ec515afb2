/**
 * Long string literals taken out of an EDN form before edn-data reads it, and put back into the value after.
 * edn-data builds a string character by character: an 8 MB string took 3.6 s and ~270 MB of heap, and a
 * 100 MB value (a well-formed history's op can hold one) would take more heap than V8 has, so such a
 * history would end the process instead of being read. A long string is decoded here with exactly the escapes
 * edn-data knows (\t \r \n \b \f \\ \" and \uXXXX); one with any other escape is left to edn-data, so
 * that its error stays the one the reader gives.
 */

/** Strings at least this long are cut out; shorter ones cost edn-data little. */
export const LONG_STRING_CHARS = 64 * 1024;

export interface CutForm {
  /** The form with each long string replaced by a short placeholder string. */
  text: string;
  /** The read value with every placeholder (as a value or a map key) replaced by its string. */
  restore: (value: unknown) => unknown;
}

const ESCAPES: Record<string, string> = { t: '\t', r: '\r', n: '\n', b: '\b', f: '\f', '\\': '\\', '"': '"' };
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** The string between `from` and `to` with its escapes decoded, or undefined at an escape edn-data refuses. */
function decodeEscapes(form: string, from: number, to: number): string | undefined {
  const parts: string[] = [];
  let run = from;
  for (let k = form.indexOf('\\', from); k !== -1 && k < to; k = form.indexOf('\\', run)) {
    parts.push(form.slice(run, k));
    const e = form[k + 1];
    if (e === 'u') {
      const hex = form.slice(k + 2, k + 6);
      if (k + 6 > to || !HEX4.test(hex)) return undefined;
      parts.push(String.fromCharCode(parseInt(hex, 16)));
      run = k + 6;
    } else {
      const c = ESCAPES[e];
      if (c === undefined) return undefined;
      parts.push(c);
      run = k + 2;
    }
  }
  parts.push(form.slice(run, to));
  return parts.join('');
}

/** The form with its long strings cut out, or undefined when it has none. */
export function cutLongStrings(form: string): CutForm | undefined {
  // A set's elements are sorted by value, so a placeholder would sort in its string's place: sets are left alone.
  if (form.length < LONG_STRING_CHARS || form.includes('#{')) return undefined;
  const parts: string[] = [];
  const strings = new Map<string, string>();
  const tag = `\u0001faultline-long-string-${Math.random().toString(36).slice(2)}-`;
  let from = 0;
  const n = form.length;
  for (let i = 0; i < n; i++) {
    const c = form.charCodeAt(i);
    if (c === 92 /* \ */) {
      i++; // a character literal: its next character is itself (`\"`, `\;`)
    } else if (c === 59 /* ; */) {
      const nl = form.indexOf('\n', i);
      i = nl < 0 ? n : nl;
    } else if (c === 34 /* " */) {
      let j = i + 1;
      let escaped = false;
      for (; j < n; j++) {
        const d = form.charCodeAt(j);
        if (d === 92) {
          escaped = true;
          j++;
        } else if (d === 34) break;
      }
      if (j >= n) return undefined; // unterminated: let the reader say so
      const body = j - i - 1 >= LONG_STRING_CHARS ? (escaped ? decodeEscapes(form, i + 1, j) : form.slice(i + 1, j)) : undefined;
      if (body !== undefined) {
        const key = `${tag}${strings.size}`;
        strings.set(key, body);
        parts.push(form.slice(from, i), JSON.stringify(key));
        from = j + 1;
      }
      i = j;
    }
  }
  if (strings.size === 0) return undefined;
  parts.push(form.slice(from));
  const put = (v: unknown): unknown => {
    if (typeof v === 'string') return strings.get(v) ?? v;
    if (Array.isArray(v)) {
      for (let k = 0; k < v.length; k++) v[k] = put(v[k]);
      return v;
    }
    if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) {
        const real = strings.get(k);
        const value = put(o[k]);
        if (real === undefined) o[k] = value;
        else {
          delete o[k];
          o[real] = value;
        }
      }
    }
    return v;
  };
  return { text: parts.join(''), restore: put };
}
