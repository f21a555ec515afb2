/**
 * Recognises the op lines Jepsen logs through jepsen.util (and writes to history.txt):
 *   INFO  jepsen.util - 3	:invoke	:cas	[1 4]                                   (Porcupine's test data)
 *   INFO [2018-06-07 11:48:23,015] jepsen nemesis - jepsen.util :nemesis	:info	:start	nil   (Jepsen's logback)
 *   2017-03-18 13:00:50,123{GMT}	INFO	[jepsen worker 3] jepsen.util: 3	:invoke	:read	nil   (log4j layouts)
 *   1	:fail	:cas	[1 1]	:value-mismatch                                             (history.txt)
 *   6 \t:invoke :write \t38 \t:hint 0                                          (Porcupine's etcd_RR*.log)
 *   INFO  jepsen.util - 1   :invoke :write  3                                 (runs of spaces, no tabs)
 * Fields are EDN: process, type, f, value, then optionally an error. Jepsen separates them with tabs, but logs
 * that went through other hands use any run of spaces and tabs, so any whitespace separates fields. When the
 * value and an error are not split by a tab, the value is the first whole EDN form (which may hold spaces:
 * `[1 4]`, `"x 1 y"`) and the error is what follows. Porcupine's generated etcd logs pad tabs with spaces, put a
 * space between type and f, and end with a `:hint` (its linearization hint, which means nothing to a checker):
 * those lines are normalised to the plain form first.
 */

export interface LogOpLine {
  /** Whatever came before the op fields (level, timestamp, thread, logger); may be empty. */
  prefix: string;
  process: string;
  type: 'invoke' | 'ok' | 'fail' | 'info';
  f: string;
  /** The value field's EDN text, when the line has one. */
  value?: string;
  /** The error field's EDN text (fifth field), when the line has one. */
  error?: string;
}

const OP_LINE =
  /^(?:(.*?)\bjepsen\.util(?:\s*:|\s+-)?[ \t]+)?(\d+|:[A-Za-z*!_?<>=][\w*+!?<>=./-]*)[ \t]+:(invoke|ok|fail|info)[ \t]+([^ \t]+)(?:[ \t]+(.*?))?[ \t]*$/;

/**
 * Where the first EDN form of `text` ends: at the first space or tab outside brackets and strings. Enough to
 * split a value from an error; the forms themselves are parsed (and judged) later.
 */
function firstFormEnd(text: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '(' || c === '{') depth++;
    else if (c === ']' || c === ')' || c === '}') depth = Math.max(0, depth - 1);
    else if ((c === ' ' || c === '\t') && depth === 0) return i;
  }
  return text.length;
}

function normalise(line: string): string {
  if (!line.includes(' \t') && !line.includes('\t ')) return line;
  return line
    .replace(/ *\t */g, '\t')
    .replace(/\t:(invoke|ok|fail|info) :/, '\t:$1\t:')
    .replace(/\t:hint [^\t]*$/, '');
}

/** Parse one line; undefined when it is not an op line. */
export function matchLogOpLine(line: string): LogOpLine | undefined {
  const text = normalise(line.endsWith('\r') ? line.slice(0, -1) : line);
  const m = OP_LINE.exec(text.trimStart());
  if (!m) return undefined;
  const [, prefix = '', process, type, f, rest] = m;
  const result: LogOpLine = { prefix, process, type: type as LogOpLine['type'], f };
  if (rest !== undefined && rest !== '') {
    // A tab is Jepsen's own separator: trust it; otherwise the value is the first whole form.
    const tab = rest.indexOf('\t');
    const end = tab >= 0 ? tab : firstFormEnd(rest);
    result.value = rest.slice(0, end);
    const error = rest.slice(end + 1).trim();
    if (end < rest.length && error !== '') result.error = error;
  }
  return result;
}

const TIMESTAMP = /(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:[,.](\d{1,9}))?/;

/** Milliseconds (wall clock, zone ignored) of the first timestamp in a log prefix, if it has one. */
export function prefixTimestampMs(prefix: string): number | undefined {
  const m = TIMESTAMP.exec(prefix);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '0'] = m;
  const ms = Number(`0.${frac}`) * 1000;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) + ms;
}
