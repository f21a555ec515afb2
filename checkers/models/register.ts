/**
 * Single-value models: `register` (read/write), `cas-register` (+ cas) and `kv` (a register per key, with
 * get/put/append/cas over any JSON values). A state is the canonical JSON of the current value, so a step is a
 * string comparison and the state is its own memo key.
 */
import type { Op } from '../../histories/op.js';
import { parseExactJson } from '../../histories/exact-json.js';
import { canon, show, showCanon } from './canon.js';
import { badOp, invokeValue, type Model, type ModelOp } from './model.js';

const READ = 0;
const WRITE = 1;
const CAS = 2;
const APPEND = 3;

interface RegArg {
  kind: number;
  /** read: observed value; write: new value; cas: expected value (all canonical). append: unused. */
  a: string;
  /** cas: new value (canonical). */
  b: string;
  /** append: the raw appended value. */
  raw: unknown;
}

const NAMES: Record<string, number> = {
  read: READ,
  get: READ,
  r: READ,
  write: WRITE,
  put: WRITE,
  w: WRITE,
  cas: CAS,
  'compare-and-set': CAS,
  append: APPEND,
};

function compile(op: ModelOp): RegArg {
  return compileKind(NAMES[op.f] ?? READ, op.value);
}

function compileKind(kind: number, value: unknown): RegArg {
  if (kind === CAS) {
    const [from, to] = value as [unknown, unknown];
    return { kind, a: canon(from), b: canon(to), raw: undefined };
  }
  if (kind === APPEND) return { kind, a: '', b: '', raw: value };
  return { kind, a: canon(value), b: '', raw: undefined };
}

/** Append to a string value (concatenation) or a list (push); from nil it starts a fresh value. */
/** A low surrogate: joined to a lone high surrogate before it, it changes how the pair is escaped. */
const startsLowSurrogate = (s: string): boolean => s.length > 0 && s.charCodeAt(0) >= 0xdc00 && s.charCodeAt(0) <= 0xdfff;
/** Canonical text ending in an escaped lone high surrogate (`\ud83d"`), which a low surrogate would complete. */
const LONE_HIGH_AT_END = /\\ud[89ab][0-9a-f]{2}"$/;

function appendTo(state: string, raw: unknown): string | undefined {
  if (state === 'null') return typeof raw === 'string' ? canon(raw) : canon([raw]);
  // String onto string, the hot case: JSON escapes code unit by code unit, so the canonical text of the
  // concatenation is the two texts joined, unless a surrogate pair forms across the join.
  if (typeof raw === 'string' && state.charCodeAt(0) === 34 && !startsLowSurrogate(raw)) return state.slice(0, -1) + canon(raw).slice(1);
  // Exactly: a state may hold integers beyond 2^53, which JSON.parse would round.
  const cur = parseExactJson(state);
  if (typeof cur === 'string' && typeof raw === 'string') return canon(cur + raw);
  if (Array.isArray(cur)) return canon([...cur, raw]);
  return undefined;
}

/**
 * Can appends alone take the value `from` to `to` (both canonical)? A string only grows at its end, a list
 * only at its tail, nil may become any string or list, and anything else never changes by appending.
 */
function reachableByAppends(from: string, to: string): boolean {
  if (from === to || from === 'null') return true;
  // Both strings: compare canonical texts without the closing quote (escaping is per code unit), except when
  // `from` ends in a lone high surrogate that `to` may pair up.
  if (from.charCodeAt(0) === 34 && to.charCodeAt(0) === 34) {
    if (to.startsWith(from.slice(0, -1))) return true;
    if (!LONE_HIGH_AT_END.test(from)) return false;
  }
  const a = parseExactJson(from);
  const b = parseExactJson(to);
  if (typeof a === 'string') return typeof b === 'string' && b.startsWith(a);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || b.length < a.length) return false;
    for (let i = 0; i < a.length; i++) if (canon(a[i]) !== canon(b[i])) return false;
    return true;
  }
  return false;
}

/**
 * Merged ops are shared between pairs that do the same thing with a plain value (a read of 3, a write of 3, a
 * cas 1 -> 2): a million-record history has a handful of distinct ones, and making one object pair (ModelOp +
 * RegArg) and one canonical string per op was a fifth of a big check's time, most of it in the garbage
 * collector. Model ops are never changed after `prepare`, so sharing is safe. Keyed by the raw primitive (not
 * its canonical text, which would cost what it saves); -0 and NaN are left out, since they compare unlike
 * their canonical text. Bounded, so a history of unique values does not grow it without end.
 */
const INTERN_MAX = 4096;
type Prim = string | number | boolean | null;
/** Index: kind * 2 + known; for cas, the expected value's table of new values. */
const plain: Map<Prim, ModelOp>[] = Array.from({ length: 8 }, () => new Map());
const cas: Map<Prim, Map<Prim, ModelOp>>[] = [new Map(), new Map()];
let internedCount = 0;

const isPrim = (v: unknown): v is Prim =>
  v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && v === v && !Object.is(v, -0));

function interned(kind: number, known: boolean, value: unknown): ModelOp | undefined {
  if (kind === APPEND) return undefined;
  if (kind === CAS) {
    const [from, to] = value as [unknown, unknown];
    return isPrim(from) && isPrim(to) ? cas[known ? 1 : 0].get(from)?.get(to) : undefined;
  }
  return isPrim(value) ? plain[kind * 2 + (known ? 1 : 0)].get(value) : undefined;
}

function remember(kind: number, known: boolean, value: unknown, op: ModelOp): void {
  if (kind === APPEND || internedCount >= INTERN_MAX) return;
  if (kind === CAS) {
    const [from, to] = value as [unknown, unknown];
    if (!isPrim(from) || !isPrim(to)) return;
    const byFrom = cas[known ? 1 : 0];
    let m = byFrom.get(from);
    if (!m) byFrom.set(from, (m = new Map()));
    m.set(to, op);
  } else {
    if (!isPrim(value)) return;
    plain[kind * 2 + (known ? 1 : 0)].set(value, op);
  }
  internedCount++;
}

const kindOf = (op: ModelOp): number => (op.arg as RegArg | undefined)?.kind ?? NAMES[op.f] ?? READ;

function makeRegisterModel(name: string, allowed: ReadonlySet<number>): Model<string> {
  return {
    name,
    splitByKey: true,
    init: (initial) => canon(initial ?? null),
    prepare(invoke: Op, completion: Op | undefined, initial?: unknown): ModelOp | null {
      const kind = NAMES[invoke.f];
      if (kind === undefined || !allowed.has(kind)) {
        const known = [...Object.keys(NAMES)].filter((k) => allowed.has(NAMES[k])).join(', ');
        throw badOp(name, invoke, `unknown op f=${JSON.stringify(invoke.f)} (this model knows ${known})`);
      }
      const known = completion?.type === 'ok';
      const f = kind === READ ? 'read' : kind === WRITE ? 'write' : kind === CAS ? 'cas' : 'append';
      let value: unknown;
      if (kind === READ) {
        // The invoke of a read carries nothing; what it saw is in the ok completion. Unknown reads say nothing.
        if (!known) return null;
        value = completion!.value ?? null;
        // Knossos reads a nil read as "value not reported". When the register starts non-nil nothing can make
        // it nil (short of writing nil), so we do the same; when it starts nil, nil means "never written" and is
        // checked like any other value, so a read of nil after a write is caught.
        if (value === null && initial !== undefined && initial !== null) return null;
      } else {
        value = invokeValue(invoke, completion);
        if (kind === CAS && !(Array.isArray(value) && value.length === 2)) {
          throw badOp(name, invoke, `cas value must be [expected, new], got ${show(value)}`);
        }
        if (value === undefined) throw badOp(name, invoke, `${f} without a value`);
      }
      const hit = interned(kind, known, value);
      if (hit !== undefined) return hit;
      // Every field at once, so all ops share one shape (the search reads them in its inner loop).
      const op: ModelOp = { f, value, known, arg: compileKind(kind, value), readOnly: kind === READ };
      remember(kind, known, value, op);
      return op;
    },
    step(state: string, op: ModelOp): string | undefined {
      const arg = (op.arg as RegArg | undefined) ?? compile(op);
      switch (arg.kind) {
        case READ:
          return state === arg.a ? state : undefined;
        case WRITE:
          return arg.a;
        case CAS:
          return state === arg.a ? arg.b : undefined;
        default:
          return appendTo(state, arg.raw);
      }
    },
    hash: (state) => state,
    describeOp(op: ModelOp): string {
      switch (op.f) {
        case 'read':
          return `read → ${show(op.value)}`;
        case 'cas': {
          const [from, to] = op.value as [unknown, unknown];
          return `cas(${show(from)}→${show(to)})`;
        }
        default:
          return `${op.f}(${show(op.value)})`;
      }
    },
    describeState: (state) => showCanon(state),
    readWrite: {
      op(op: ModelOp): { write: boolean; value: string } | undefined {
        const arg = (op.arg as RegArg | undefined) ?? compile(op);
        return arg.kind === READ ? { write: false, value: arg.a } : arg.kind === WRITE ? { write: true, value: arg.a } : undefined;
      },
      state: (state) => state,
    },
    // Reads and appends only grow a value (see reachableByAppends); writes and cas may go anywhere.
    growth: {
      grows: (op) => kindOf(op) === READ || kindOf(op) === APPEND,
      canReach: (state, read) => reachableByAppends(state, (read.arg as RegArg | undefined)?.a ?? canon(read.value)),
      reset(op: ModelOp): string | undefined {
        const arg = (op.arg as RegArg | undefined) ?? compile(op);
        return arg.kind === WRITE ? arg.a : arg.kind === CAS ? arg.b : undefined;
      },
    },
  };
}

export const registerModel = makeRegisterModel('register', new Set([READ, WRITE]));
export const casRegisterModel = makeRegisterModel('cas-register', new Set([READ, WRITE, CAS]));
/** Ops are split by key before checking, so per key this is a register; `--initial` is every key's start. */
export const kvModel = makeRegisterModel('kv', new Set([READ, WRITE, CAS, APPEND]));
