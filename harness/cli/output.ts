/** Terminal output: human text by default, one JSON object per line with --json. */
import { toJsonText } from '../../histories/exact-json.js';
export function printJson(obj: unknown): void {
  process.stdout.write(toJsonText(obj) + '\n');
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
