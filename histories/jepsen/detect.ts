/**
 * Tells a history's format from the start of its content (never its file name): faultline JSONL, a Jepsen EDN
 * history, Jepsen log lines, or a Jepsen-style JSON array of op maps. Undefined when it is none of them.
 */
import { matchLogOpLine } from './log-line.js';

export type HistoryFormat = 'jsonl' | 'edn' | 'jepsen-log' | 'json';

/** How far into the head to look for a Jepsen op line (jepsen.log starts with a lot of setup output). */
const MAX_LOG_LINES = 5000;

function isJsonlLine(line: string, complete: boolean): boolean {
  if (!line.startsWith('{')) return false;
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.hasOwn(v, 'type');
  } catch {
    // A first line longer than the head is cut off; judge it by how it starts.
    return !complete && /^\{\s*"[^"]*"\s*:/.test(line) && line.includes('"type"');
  }
}

/** Leading blank lines and `;` comments, which EDN allows before the history. */
function skipEdnPreamble(text: string): string {
  let rest = text;
  for (;;) {
    const trimmed = rest.replace(/^[\s,]+/, '');
    if (!trimmed.startsWith(';')) return trimmed;
    const nl = trimmed.indexOf('\n');
    rest = nl < 0 ? '' : trimmed.slice(nl + 1);
  }
}

const EDN_KEYWORD = /(?:^|[\s,{[(]):[A-Za-z*!_?<>=]/;
const EMPTY_EDN_VECTOR = /^[[(][\s,]*[\])][\s,]*$/;

export function detectFormat(head: string): HistoryFormat | undefined {
  const text = head.charCodeAt(0) === 0xfeff ? head.slice(1) : head;
  const lines = text.split('\n', MAX_LOG_LINES);
  const firstIdx = lines.findIndex((l) => l.trim() !== '');
  if (firstIdx < 0) return undefined;
  const first = lines[firstIdx].trim();
  const complete = firstIdx < lines.length - 1 || text.endsWith('\n');
  if (isJsonlLine(first, complete)) return 'jsonl';

  if (lines.some((l) => matchLogOpLine(l) !== undefined)) return 'jepsen-log';
  // A JSON array of op maps (Jepsen-style JSON): `[` then an object whose first key is a quoted string.
  if (/^\[\s*\{\s*"/.test(text.trimStart()) && !EDN_KEYWORD.test(text.slice(0, 200))) return 'json';

  const edn = skipEdnPreamble(text);
  if (/^[[({#]/.test(edn) && (EDN_KEYWORD.test(edn) || EMPTY_EDN_VECTOR.test(edn))) return 'edn';
  return undefined;
}
