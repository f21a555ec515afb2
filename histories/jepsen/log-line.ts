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
  return line
    .replace(/ *\t */g, '\t')
    .replace(/\t:(invoke|ok|fail|info) :/, '\t:$1\t:')
    .replace(/\t:hint [^\t]*$/, '');
}

/** Parse one line; undefined when it is not an op line. */
export function matchLogOpLine(line: string): LogOpLine | undefined {
  // Indexed access, no destructuring and one result shape: a log's first lines run before V8 has compiled
  // this, so every step the interpreter takes per line counts (a hundred small logs are ~50,000 lines).
  let text = line.charCodeAt(line.length - 1) === 13 /* \r */ ? line.slice(0, -1) : line;
  if (text.includes(' \t') || text.includes('\t ')) text = normalise(text);
  const m = OP_LINE.exec(text.trimStart());
  if (m === null) return undefined;
  const result: LogOpLine = { prefix: m[1] ?? '', process: m[2], type: m[3] as LogOpLine['type'], f: m[4] };
  const rest = m[5];
  if (rest !== undefined && rest !== '') {
    // A tab is Jepsen's own separator: trust it; otherwise the value is the first whole form.
    const tab = rest.indexOf('\t');
    const end = tab >= 0 ? tab : firstFormEnd(rest);
    result.value = end === rest.length ? rest : rest.slice(0, end);
    if (end < rest.length) {
      const error = rest.slice(end + 1).trim();
      if (error !== '') result.error = error;
    }
  }
  return result;
}

const TIMESTAMP = /(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:[,.](\d{1,9}))?/;

/** Milliseconds (wall clock, zone ignored) of the first timestamp in a log prefix, if it has one. */
export function prefixTimestampMs(prefix: string): number | undefined {
  if (prefix.length < 19) return undefined; // shorter than any timestamp (most prefixes are "INFO  ")
  const m = TIMESTAMP.exec(prefix);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '0'] = m;
  const ms = Number(`0.${frac}`) * 1000;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) + ms;
}
