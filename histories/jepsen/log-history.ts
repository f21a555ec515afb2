/**
 * Reads a history out of a jepsen.log (or history.txt, or Porcupine's Jepsen test data): every op line becomes an
 * op, every other line is skipped. Field values are EDN: the common small forms are read by edn-fast.ts,
 * anything else with edn-data.
 *
 * Older Jepsen logged a timed-out op as `7	:info	:write	:timed-out`: the value column holds the error. For a
 * client :info whose value is a keyword, the value is taken from the process's pending invoke and the keyword
 * becomes the `error`. When the lines carry timestamps, `time` is set from them (nanoseconds since the earliest).
 */
import { InputError } from '../errors.js';
import { buildOps, type JepsenReadOptions, type ParsedHistory, type RawOp } from './jepsen-ops.js';
import { isKeyword, parseOneForm, toPlain, tooDeep } from './edn-values.js';
import { Warnings } from './warnings.js';
import { matchLogOpLine, prefixTimestampMs } from './log-line.js';
import { fastForm } from './edn-fast.js';

export type { JepsenReadOptions, ParsedHistory } from './jepsen-ops.js';

interface FieldParse {
  value: unknown;
  keyword: boolean;
}

export function parseJepsenLog(text: string, opts: JepsenReadOptions = {}): ParsedHistory {
  const file = opts.file;
  const label = file ?? 'input';
  const warnings = new Warnings();
  const raws: RawOp[] = [];
  const stamps: (number | undefined)[] = [];
  /** Value of each client process's invoke that has not completed yet. */
  const pending = new Map<number, { value: unknown; has: boolean }>();

  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const m = matchLogOpLine(lines[i]);
    if (m === undefined) continue;
    const process = fieldOf(m.process, 'process', lineNo, label, file, warnings).value;
    const f = fieldOf(m.f, 'f', lineNo, label, file, warnings).value;
    const fields: Record<string, unknown> = { type: m.type, process, f };
    const value = m.value === undefined ? undefined : fieldOf(m.value, 'value', lineNo, label, file, warnings);
    if (value !== undefined) fields.value = value.value;
    if (m.error !== undefined) fields.error = errorField(m.error, warnings, `${label}:${lineNo}`);

    if (typeof process === 'number') {
      if (m.type === 'invoke') {
        pending.set(process, { value: fields.value, has: value !== undefined });
      } else {
        const inv = pending.get(process);
        pending.delete(process);
        if (m.type === 'info' && value !== undefined && value.keyword && m.error === undefined) {
          fields.error = value.value;
          delete fields.value;
          if (inv?.has) fields.value = structuredClone(inv.value);
        }
      }
    }
    raws.push({ fields, line: lineNo });
    stamps.push(prefixTimestampMs(m.prefix));
  }

  if (raws.length === 0) warnings.add('no-ops', `${label}: no Jepsen op lines found (expected lines like "3\t:invoke\t:read\tnil")`);
  setTimes(raws, stamps, warnings, label);
  return { ops: buildOps(raws, opts, warnings), warnings: warnings.list() };
}

/** One field's EDN: the fast path for the usual small forms, else the full reader. */
function fieldOf(edn: string, name: string, lineNo: number, label: string, file: string | undefined, warnings: Warnings): FieldParse {
  const quick = fastForm(edn);
  if (quick !== undefined) return quick;
  try {
    const parsed = parseOneForm(edn);
    if (parsed.kind === 'discarded') throw new Error('the field holds no value');
    return { value: toPlain(parsed.value, warnings, `${label}:${lineNo}`), keyword: isKeyword(parsed.value) };
  } catch (err) {
    const shown = edn.length > 60 ? `${edn.slice(0, 57)}...` : edn;
    throw new InputError(`malformed EDN in the ${name} field "${shown}": ${tooDeep(err)}`, lineNo, file);
  }
}

/**
 * Jepsen prints the error column with `str`, not `pr-str`: keywords and vectors come out as EDN, but a string
 * error comes out bare (`connection refused`). What is not exactly one EDN form is that bare string.
 */
function errorField(text: string, warnings: Warnings, where: string): unknown {
  try {
    const parsed = parseOneForm(text);
    if (parsed.kind === 'value') return toPlain(parsed.value, warnings, where);
  } catch {
    // Not EDN: the error was a plain string.
  }
  return text.trim();
}

/** Log timestamps have millisecond resolution: good enough for reports, and better than no time at all. */
function setTimes(raws: RawOp[], stamps: (number | undefined)[], warnings: Warnings, label: string): void {
  const known = stamps.filter((s): s is number => s !== undefined);
  if (known.length === 0) return;
  if (known.length < stamps.length) {
    warnings.add('time', `${label}: only some op lines carry a timestamp; ops were given no :time`);
    return;
  }
  const start = known.reduce((a, b) => Math.min(a, b));
  raws.forEach((raw, i) => {
    raw.fields.time = Math.round((stamps[i]! - start) * 1e6);
  });
}
