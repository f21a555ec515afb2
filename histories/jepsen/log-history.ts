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
import { buildOps, StreamedOps, type JepsenReadOptions, type ParsedHistory, type RawOp } from './jepsen-ops.js';
import type { Op } from '../op.js';
import { isKeyword, parseOneForm, toPlain, tooDeep } from './edn-values.js';
import { Warnings } from './warnings.js';
import { matchLogOpLine, prefixTimestampMs } from './log-line.js';
import { fastForm } from './edn-fast.js';

export type { JepsenReadOptions, ParsedHistory } from './jepsen-ops.js';

interface FieldParse {
  value: unknown;
  keyword: boolean;
}

/**
 * Reads op lines one at a time: what a line means can depend only on earlier lines (the pending invoke whose
 * value an :info takes). parseJepsenLog and streamJepsenLog share it.
 */
class LogLines {
  /** Value of each client process's invoke that has not completed yet. */
  private readonly pending = new Map<number, { value: unknown; has: boolean }>();
  private readonly label: string;
  /** The timestamp of the last line read (undefined when it had none). */
  stamp: number | undefined;

  constructor(
    private readonly file: string | undefined,
    private readonly warnings: Warnings,
  ) {
    this.label = file ?? 'input';
  }

  /** The raw op of one line, or undefined when the line is not an op line. */
  read(line: string, lineNo: number): RawOp | undefined {
    const { file, label, warnings, pending } = this;
    const m = matchLogOpLine(line);
    if (m === undefined) return undefined;
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
    this.stamp = prefixTimestampMs(m.prefix);
    return { fields, line: lineNo };
  }
}

export function parseJepsenLog(text: string, opts: JepsenReadOptions = {}): ParsedHistory {
  const file = opts.file;
  const label = file ?? 'input';
  const warnings = new Warnings();
  const raws: RawOp[] = [];
  const stamps: (number | undefined)[] = [];
  const reader = new LogLines(file, warnings);

  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = reader.read(lines[i], i + 1);
    if (raw === undefined) continue;
    raws.push(raw);
    stamps.push(reader.stamp);
  }

  if (raws.length === 0) warnings.add('no-ops', noOpsMessage(label));
  setTimes(raws, stamps, warnings, label);
  return { ops: buildOps(raws, opts, warnings), warnings: warnings.list() };
}

const noOpsMessage = (label: string): string => `${label}: no Jepsen op lines found (expected lines like "3\t:invoke\t:read\tnil")`;
const SOME_STAMPS = 'only some op lines carry a timestamp; ops were given no :time';

/**
 * parseJepsenLog op by op, holding no ops: `lines()` gives the text's lines (split at \n, as parseJepsenLog splits
 * it) and is called twice. The first pass checks every op and learns what needs the whole log (independence, the
 * earliest timestamp, whether every op line has one); the second yields the ops. Same ops, errors and warnings,
 * handed to `onWarnings` at the end.
 */
export async function* streamJepsenLog(lines: () => AsyncIterable<string>, opts: JepsenReadOptions, onWarnings: (w: string[]) => void): AsyncGenerator<Op> {
  const file = opts.file;
  const label = file ?? 'input';
  const warnings = new Warnings();
  const ops = new StreamedOps(opts, warnings);
  // The first pass's own warnings are dropped: the second pass meets the same lines and says them again.
  const first = new LogLines(file, new Warnings());
  let n = 0;
  let stamped = 0;
  let start = Infinity;
  let lineNo = 0;
  for await (const line of lines()) {
    const raw = first.read(line, ++lineNo);
    if (raw === undefined) continue;
    n++;
    ops.survey(raw);
    if (first.stamp !== undefined) {
      stamped++;
      if (first.stamp < start) start = first.stamp;
    }
  }
  ops.decide();
  const reader = new LogLines(file, warnings);
  const timed = stamped > 0 && stamped === n;
  lineNo = 0;
  for await (const line of lines()) {
    const raw = reader.read(line, ++lineNo);
    if (raw === undefined) continue;
    if (timed) raw.fields.time = Math.round((reader.stamp! - start) * 1e6);
    yield ops.build(raw);
  }
  if (n === 0) warnings.add('no-ops', noOpsMessage(label));
  if (stamped > 0 && !timed) warnings.add('time', `${label}: ${SOME_STAMPS}`);
  ops.finish();
  onWarnings(warnings.list());
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
    warnings.add('time', `${label}: ${SOME_STAMPS}`);
    return;
  }
  const start = known.reduce((a, b) => Math.min(a, b));
  raws.forEach((raw, i) => {
    raw.fields.time = Math.round((stamps[i]! - start) * 1e6);
  });
}
