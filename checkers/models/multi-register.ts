/**
 * `multi-register`: a map of registers updated by transactions (`f: "txn"`), each a list of micro-ops
 * `[read|write|r|w, register, value]` applied atomically and in order. A read micro-op's invoke usually carries
 * nil; the value it saw is in the ok completion at the same position.
 */
import type { Op } from '../../histories/op.js';
import { canon, show, showCanon } from './canon.js';
import { badInitial, badOp, type Model, type ModelOp } from './model.js';

/** Register name -> canonical value. Registers never written and absent from the initial map are nil. */
export type Registers = Readonly<Record<string, string>>;

interface Micro {
  write: boolean;
  reg: string;
  /** Canonical value read or written. */
  val: string;
}

function microKind(f: unknown): boolean | undefined {
  if (f === 'read' || f === 'r') return false;
  if (f === 'write' || f === 'w') return true;
  return undefined;
}

function parseMicros(op: Op, value: unknown, what: string): [unknown, string, unknown][] {
  if (!Array.isArray(value)) throw badOp('multi-register', op, `${what} must be a list of [f, register, value], got ${show(value)}`);
  return value.map((m) => {
    if (!Array.isArray(m) || m.length !== 3 || microKind(m[0]) === undefined || (typeof m[1] !== 'string' && typeof m[1] !== 'number')) {
      throw badOp('multi-register', op, `bad micro-op ${show(m)} in ${what} (want [read|write|r|w, register, value])`);
    }
    return [m[0], String(m[1]), m[2]];
  });
}

function startsNonNil(initial: unknown, reg: string): boolean {
  if (typeof initial !== 'object' || initial === null) return false;
  const v = (initial as Record<string, unknown>)[reg];
  return v !== undefined && v !== null;
}

function compile(op: ModelOp): Micro[] {
  return (op.value as [unknown, string, unknown][]).map(([f, reg, v]) => ({ write: microKind(f) === true, reg, val: canon(v) }));
}

export const multiRegisterModel: Model<Registers> = {
  name: 'multi-register',
  splitByKey: false,
  init(initial: unknown): Registers {
    const out: Record<string, string> = {};
    if (initial !== undefined && initial !== null) {
      if (typeof initial !== 'object' || Array.isArray(initial)) {
        throw badInitial('multi-register', 'initial value must be a map of register -> value');
      }
      for (const [k, v] of Object.entries(initial)) if (v !== null && v !== undefined) out[k] = canon(v);
    }
    return out;
  },
  prepare(invoke: Op, completion: Op | undefined, initial?: unknown): ModelOp | null {
    if (invoke.f !== 'txn') throw badOp('multi-register', invoke, `unknown op f=${JSON.stringify(invoke.f)} (this model knows txn)`);
    const known = completion?.type === 'ok';
    const asked = parseMicros(invoke, invoke.value, 'txn value');
    const seen = known && completion!.value !== undefined && completion!.value !== null ? parseMicros(completion!, completion!.value, 'txn result') : undefined;
    if (seen && seen.length !== asked.length) {
      throw badOp('multi-register', completion!, `txn result has ${seen.length} micro-ops but the invoke had ${asked.length}`);
    }
    const micros: [string, string, unknown][] = [];
    asked.forEach(([f, reg, v], i) => {
      const write = microKind(f) === true;
      if (write) {
        micros.push(['w', reg, v]);
        return;
      }
      // A read whose result we never saw constrains nothing.
      if (!known) return;
      const observed = v === null || v === undefined ? seen?.[i]?.[2] : v;
      // As for registers: nil from a register that starts non-nil means "not reported" (see register.ts).
      if ((observed === null || observed === undefined) && startsNonNil(initial, reg)) return;
      micros.push(['r', reg, observed ?? null]);
    });
    if (micros.length === 0) return null;
    const op: ModelOp = { f: 'txn', value: micros, known, readOnly: micros.every((m) => m[0] === 'r') };
    op.arg = compile(op);
    return op;
  },
  step(state: Registers, op: ModelOp): Registers | undefined {
    const micros = (op.arg as Micro[] | undefined) ?? compile(op);
    let next: Record<string, string> | undefined;
    for (const m of micros) {
      const cur = (next ?? state)[m.reg] ?? 'null';
      if (m.write) {
        if (cur === m.val) continue;
        next ??= { ...state };
        if (m.val === 'null') delete next[m.reg];
        else next[m.reg] = m.val;
      } else if (cur !== m.val) {
        return undefined;
      }
    }
    return next ?? state;
  },
  hash(state: Registers): string {
    return Object.keys(state)
      .sort()
      .map((k) => JSON.stringify(k) + '=' + state[k])
      .join(',');
  },
  describeOp(op: ModelOp): string {
    const micros = op.value as [string, string, unknown][];
    return 'txn[' + micros.map(([f, reg, v]) => `${f} ${reg} ${show(v)}`).join(', ') + ']';
  },
  describeState(state: Registers): string {
    const keys = Object.keys(state).sort();
    return '{' + keys.map((k) => `${k}=${showCanon(state[k])}`).join(', ') + '}';
  },
};
