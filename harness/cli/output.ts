/** Terminal output: human text by default, one JSON object per line with --json. */
import { toJsonText } from '../../histories/exact-json.js';
export function printJson(obj: unknown): void {
  let text: string | undefined;
  try {
    text = toJsonText(obj);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    // Longer than one string can be (~512 MB: a counterexample whose ops hold values of a hundred MB each, printed
    // several times over): written piece by piece instead of ending the check with "Invalid string length".
    const parts: string[] = [];
    let bytes = 0;
    writeJsonPieces(obj, (piece) => {
      parts.push(piece);
      bytes += piece.length;
      if (bytes >= 1 << 20) {
        process.stdout.write(parts.join(''));
        parts.length = 0;
        bytes = 0;
      }
    });
    process.stdout.write(parts.join('') + '\n');
    return;
  }
  process.stdout.write(text + '\n');
}

const skipped = (v: unknown): boolean => v === undefined || typeof v === 'function' || typeof v === 'symbol';

/** JSON.stringify's text of `v` (BigInts exact, as toJsonText), handed to `write` in pieces: no piece holds more than one leaf. */
export function writeJsonPieces(v: unknown, write: (piece: string) => void): void {
  if (v === null || typeof v !== 'object' || typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    write(toJsonText(v) ?? 'null');
    return;
  }
  if (Array.isArray(v)) {
    write('[');
    for (let i = 0; i < v.length; i++) {
      if (i > 0) write(',');
      if (skipped(v[i])) write('null');
      else writeJsonPieces(v[i], write);
    }
    write(']');
    return;
  }
  write('{');
  let first = true;
  for (const [k, x] of Object.entries(v)) {
    if (skipped(x)) continue;
    write(`${first ? '' : ','}${JSON.stringify(k)}:`);
    first = false;
    writeJsonPieces(x, write);
  }
  write('}');
}

export function println(line = ''): void {
  process.stdout.write(line + '\n');
}

export function warn(line: string): void {
  process.stderr.write(`warning: ${line}\n`);
}

/** Colour only on a terminal and when NO_COLOR is not set. */
const useColour = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number) => (s: string) => (useColour ? `\u001b[${code}m${s}\u001b[0m` : s);
export const green = paint(32);
export const red = paint(31);
export const yellow = paint(33);
export const bold = paint(1);
export const dim = paint(2);

export function verdictWord(v: true | false | 'unknown'): string {
  return v === true ? green('valid') : v === false ? red('INVALID') : yellow('unknown');
}

/** Render rows as aligned columns (first row is the header). */
export function table(rows: string[][]): string {
  // eslint-disable-next-line no-control-regex
  const visible = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '').length;
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(c))));
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i] - visible(c)))).join('  '))
    .join('\n');
}
