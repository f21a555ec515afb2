/**
 * Turns Jepsen op maps (already plain JSON: keywords as strings) into faultline ops: checks the fields Jepsen
 * must provide, unwraps independent `[k v]` tuples into `key` + `value`, and makes indices dense.
 * Shared by the EDN and the jepsen.log readers.
 */
import { InputError } from '../errors.js';
import { toJsonText } from '../exact-json.js';
import type { Op } from '../op.js';
import type { Warnings } from './warnings.js';

export interface JepsenReadOptions {
  /** Treat client `:value [k v]` tuples as key + value: detected from the history unless forced. Default 'auto'. */
  independent?: boolean | 'auto';
  /** Shown in errors and warnings. */
  file?: string;
}

export interface ParsedHistory {
  ops: Op[];
  warnings: string[];
}

/** One op map as read, with where it came from. */
export interface RawOp {
  fields: Record<string, unknown>;
  line: number;
}

/** Op types (as in histories/op.ts; spelled out so reading a log needs no schema library). */
const OP_TYPES = new Set<string>(['invoke', 'ok', 'fail', 'info']);

function describe(v: unknown): string {
  const s = toJsonText(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function isTuple(v: unknown): v is [unknown, unknown] {
  return Array.isArray(v) && v.length === 2;
}

function isScalarKey(v: unknown): v is string | number {
  return typeof v === 'string' || typeof v === 'number';
}

const has = (o: object, k: string): boolean => Object.hasOwn(o, k);

function isClient(raw: RawOp): boolean {
  return typeof raw.fields.process === 'number';
}

function fail(raw: RawOp, file: string | undefined, message: string): never {
  throw new InputError(message, raw.line, file);
}

/** Check the fields every op needs, so a bad history fails with its line rather than deep in a checker. */
function checkFields(raw: RawOp, file: string | undefined): void {
  const f = raw.fields;
  if (!(has(f, 'type'))) fail(raw, file, 'op has no :type');
  if (typeof f.type !== 'string' || !OP_TYPES.has(f.type)) {
    fail(raw, file, `op :type must be one of :invoke, :ok, :fail, :info (got ${describe(f.type)})`);
  }
  if (!(has(f, 'process'))) fail(raw, file, 'op has no :process');
  const p = f.process;
  if (!((typeof p === 'number' && Number.isInteger(p) && p >= 0) || (typeof p === 'string' && p !== ''))) {
    fail(raw, file, `op :process must be a non-negative integer or a keyword such as :nemesis (got ${describe(p)})`);
  }
  if (!(has(f, 'f'))) fail(raw, file, 'op has no :f');
  if (typeof f.f !== 'string' || f.f === '') fail(raw, file, `op :f must be a keyword or string (got ${describe(f.f)})`);
  if (has(f, 'time') && !(typeof f.time === 'number' && Number.isInteger(f.time) && f.time >= 0)) {
    fail(raw, file, `op :time must be a non-negative integer of nanoseconds (got ${describe(f.time)})`);
  }
  if (has(f, 'key') && !isScalarKey(f.key)) fail(raw, file, `op :key must be a number, string or keyword (got ${describe(f.key)})`);
  if (has(f, 'node') && typeof f.node !== 'string') fail(raw, file, `op :node must be a string (got ${describe(f.node)})`);
}

/**
 * Jepsen's independent workloads wrap each client value as `[k v]`. A plain cas register also has 2-vectors
 * (`:value [1 4]` on cas), so a history only counts as independent when EVERY client op carries a tuple whose
 * key is a scalar and every cas op's inner value is itself a pair.
 */
function looksIndependent(candidates: RawOp[]): boolean {
  if (candidates.length === 0) return false;
  return candidates.every(({ fields }) => {
    const v = fields.value;
    if (!isTuple(v) || !isScalarKey(v[0])) return false;
    return fields.f !== 'cas' || isTuple(v[1]);
  });
}

function applyIndependent(raws: RawOp[], mode: boolean | 'auto', file: string | undefined): void {
  if (mode === false) return;
  // Ops that already name their key are not tuples (our own writer emits :key only for non-client ops).
  const candidates = raws.filter((r) => isClient(r) && !(has(r.fields, 'key')));
  if (mode === 'auto' && !looksIndependent(candidates)) return;
  for (const raw of candidates) {
    const v = raw.fields.value;
    if (!isTuple(v) || !isScalarKey(v[0])) {
      throw new InputError(
        `independent history: client op :value must be a [key value] tuple (got ${describe(v)})`,
        raw.line,
        file,
      );
    }
    raw.fields.key = v[0];
    raw.fields.value = v[1];
  }
}

/** Keep the history's own indices when they are exactly 0..n-1 in file order; otherwise renumber, saying so. */
function assignIndices(raws: RawOp[], warnings: Warnings, file: string | undefined): number[] {
  const indices = raws.map((_, i) => i);
  const firstBad = raws.findIndex((r, i) => has(r.fields, 'index') && r.fields.index !== i);
  const anyPresent = raws.some((r) => has(r.fields, 'index'));
  const allPresent = raws.every((r) => has(r.fields, 'index'));
  if (firstBad >= 0 || (anyPresent && !allPresent)) {
    const at = firstBad >= 0 ? raws[firstBad] : raws.find((r) => !(has(r.fields, 'index')))!;
    const found = has(at.fields, 'index') ? `:index ${describe(at.fields.index)}` : 'no :index';
    warnings.add(
      'index',
      `${file ? `${file}:` : ''}${at.line}: ops were renumbered 0..${raws.length - 1} in file order ` +
        `(indices must be dense and in order; this op has ${found} where ${raws.indexOf(at)} was expected)`,
    );
  }
  return indices;
}

/** Validate, unwrap and index raw op maps into ops (fields in a stable order: the known ones first). */
export function buildOps(raws: RawOp[], opts: JepsenReadOptions, warnings: Warnings): Op[] {
  const file = opts.file;
  for (let i = 0; i < raws.length; i++) checkFields(raws[i], file);
  applyIndependent(raws, opts.independent ?? 'auto', file);
  const indices = assignIndices(raws, warnings, file);
  const ops = new Array<Op>(raws.length);
  for (let i = 0; i < raws.length; i++) ops[i] = orderedOp(raws[i].fields, indices[i]);
  return ops;
}

/** Copy one field if src has it; 1 when it did. */
function copyField(src: Record<string, unknown>, op: Record<string, unknown>, k: string): number {
  if (!has(src, k)) return 0;
  op[k] = src[k];
  return 1;
}

/**
 * buildOps over a history read twice, op by op, holding no ops: the first pass (`survey`) checks every op's
 * fields, as buildOps does before anything else, and learns what needs the whole history (whether it is
 * independent); the second (`build`) turns each raw op into its op. Same ops, errors and warnings as buildOps.
 */
export class StreamedOps {
  private candidates = 0;
  private allTuples = true;
  private firstNonTuple: RawOp | undefined;
  private independent = false;
  private count = 0;
  private firstBad: { raw: RawOp; at: number } | undefined;
  private anyIndex = false;
  private firstMissing: { raw: RawOp; at: number } | undefined;

  constructor(
    private readonly opts: JepsenReadOptions,
    private readonly warnings: Warnings,
  ) {}

  /** The first op whose fields are wrong: thrown by decide(), after every line was read, as buildOps does. */
  private badFields: unknown;

  /** First pass: the fields of one raw op. */
  survey(raw: RawOp): void {
    if (this.badFields !== undefined) return;
    try {
      checkFields(raw, this.opts.file);
    } catch (err) {
      this.badFields = err;
      return;
    }
    if (!isClient(raw) || has(raw.fields, 'key')) return;
    this.candidates++;
    if (this.allTuples && !looksIndependent([raw])) this.allTuples = false;
    const v = raw.fields.value;
    if (this.firstNonTuple === undefined && !(isTuple(v) && isScalarKey(v[0]))) this.firstNonTuple = raw;
  }

  /** Between the passes: decide independence as buildOps would, throwing its error when forced and broken. */
  decide(): void {
    if (this.badFields !== undefined) throw this.badFields;
    const mode = this.opts.independent ?? 'auto';
    this.independent = mode === true || (mode === 'auto' && this.candidates > 0 && this.allTuples);
    if (mode === true && this.firstNonTuple) {
      throw new InputError(
        `independent history: client op :value must be a [key value] tuple (got ${describe(this.firstNonTuple.fields.value)})`,
        this.firstNonTuple.line,
        this.opts.file,
      );
    }
  }

  /** Second pass: the op of one raw op, in file order. */
  build(raw: RawOp): Op {
    if (this.independent && isClient(raw) && !has(raw.fields, 'key')) {
      const v = raw.fields.value as [unknown, unknown];
      raw.fields.key = v[0];
      raw.fields.value = v[1];
    }
    const at = this.count++;
    if (has(raw.fields, 'index')) {
      this.anyIndex = true;
      if (raw.fields.index !== at && this.firstBad === undefined) this.firstBad = { raw, at };
    } else if (this.firstMissing === undefined) this.firstMissing = { raw, at };
    return orderedOp(raw.fields, at);
  }

  /** After the second pass: the renumbering warning, worded as assignIndices words it. */
  finish(): void {
    const bad = this.firstBad ?? (this.anyIndex ? this.firstMissing : undefined);
    if (!bad) return;
    const found = has(bad.raw.fields, 'index') ? `:index ${describe(bad.raw.fields.index)}` : 'no :index';
    this.warnings.add(
      'index',
      `${this.opts.file ? `${this.opts.file}:` : ''}${bad.raw.line}: ops were renumbered 0..${this.count - 1} in file order ` +
        `(indices must be dense and in order; this op has ${found} where ${bad.at} was expected)`,
    );
  }
}

/**
 * The op with its fields in a stable order: index, type, process, time, f, key, value, then the rest as read.
 * Spelled out rather than looped over a list of names: this runs once per op, mostly before V8 has compiled it.
 */
function orderedOp(src: Record<string, unknown>, index: number): Op {
  const op: Record<string, unknown> = { index };
  // Fields of src now in op (index counts: src's own index is replaced, never copied). Left to right, so the
  // fields land in this order.
  const copied =
    (has(src, 'index') ? 1 : 0) +
    copyField(src, op, 'type') +
    copyField(src, op, 'process') +
    copyField(src, op, 'time') +
    copyField(src, op, 'f') +
    copyField(src, op, 'key') +
    copyField(src, op, 'value');
  const keys = Object.keys(src);
  if (keys.length > copied) {
    for (let j = 0; j < keys.length; j++) {
      const k = keys[j];
      if (has(op, k)) continue;
      if (k === '__proto__') Object.defineProperty(op, k, { value: src[k], enumerable: true, writable: true, configurable: true });
      else op[k] = src[k];
    }
  }
  // checkFields has checked every field opSchema() constrains (index is ours), so no schema pass per op.
  return op as Op;
}

/**
 * The ops of the raw op maps `raws(final)` reads, with what needs the whole history learnt first (independence,
 * the first bad op). Read twice by default: a survey pass (`final` false), then a pass that builds each op as it
 * comes, holding none. With `once`, read once, holding the raw maps, each let go as its op is built: for a caller
 * that keeps every op anyway, the peak then stays near the ops themselves. `onEmpty` hears each 'empty' marker of
 * the counted pass. Returns whether that pass gave anything at all.
 */
export async function* opsOfRaws(raws: (final: boolean) => AsyncIterable<RawOp | 'empty'>, built: StreamedOps, once: boolean, onEmpty: () => void): AsyncGenerator<Op, boolean> {
  let any = false;
  if (once) {
    const held: (RawOp | undefined)[] = [];
    let empty = false;
    for await (const raw of raws(true)) {
      any = true;
      if (raw === 'empty') empty = true;
      else {
        built.survey(raw);
        held.push(raw);
      }
    }
    built.decide();
    if (empty) onEmpty();
    for (let i = 0; i < held.length; i++) {
      const raw = held[i]!;
      held[i] = undefined;
      yield built.build(raw);
    }
    return any;
  }
  for await (const raw of raws(false)) if (raw !== 'empty') built.survey(raw);
  built.decide();
  for await (const raw of raws(true)) {
    any = true;
    if (raw === 'empty') onEmpty();
    else yield built.build(raw);
  }
  return any;
}
