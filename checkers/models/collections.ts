/**
 * Models whose state is a collection or a flag: `set` (add, read of the whole set), `mutex` (acquire/release)
 * and `fifo-queue` (enqueue, dequeue of the head). Elements are kept as canonical JSON strings.
 */
import type { Op } from '../../histories/op.js';
import { canon, show, showCanon } from './canon.js';
import { badInitial, badOp, invokeValue, type Model, type ModelOp } from './model.js';

/** Canonical JSON never contains a raw control character, so this separator keeps joined keys injective. */
const SEP = '\u0001';

function unknownF(model: string, op: Op, knows: string): never {
  throw badOp(model, op, `unknown op f=${JSON.stringify(op.f)} (this model knows ${knows})`);
}

/** Sorted canonical elements. */
export type SetState = readonly string[];

function canonSet(model: string, op: Op, v: unknown): string[] {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) throw badOp(model, op, `read of a set must return a list, got ${show(v)}`);
  return [...new Set(v.map(canon))].sort();
}

export const setModel: Model<SetState> = {
  name: 'set',
  splitByKey: true,
  init(initial: unknown): SetState {
    if (initial === undefined || initial === null) return [];
    if (!Array.isArray(initial)) throw badInitial('set', 'initial value must be a list');
    return [...new Set(initial.map(canon))].sort();
  },
  prepare(invoke: Op, completion: Op | undefined): ModelOp | null {
    const known = completion?.type === 'ok';
    if (invoke.f === 'add') {
      const value = invokeValue(invoke, completion);
      return { f: 'add', value, known, arg: canon(value) };
    }
    if (invoke.f === 'read') {
      if (!known) return null;
      const els = canonSet('set', completion!, completion!.value);
      return { f: 'read', value: completion!.value ?? [], known, arg: els, readOnly: true };
    }
    return unknownF('set', invoke, 'add, read');
  },
  step(state: SetState, op: ModelOp): SetState | undefined {
    if (op.f === 'add') {
      const el = (op.arg as string | undefined) ?? canon(op.value);
      let lo = 0;
      let hi = state.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (state[mid] < el) lo = mid + 1;
        else hi = mid;
      }
      if (state[lo] === el) return state;
      return [...state.slice(0, lo), el, ...state.slice(lo)];
    }
    const seen = (op.arg as string[] | undefined) ?? [...new Set((op.value as unknown[]).map(canon))].sort();
    if (seen.length !== state.length) return undefined;
    for (let i = 0; i < seen.length; i++) if (seen[i] !== state[i]) return undefined;
    return state;
  },
  hash: (state) => state.join(SEP),
  // A set only grows: a read can be reached only from a subset of what it saw.
  growth: {
    grows: () => true,
    canReach(state: SetState, read: ModelOp): boolean {
      const seen = (read.arg as string[] | undefined) ?? [...new Set((read.value as unknown[]).map(canon))].sort();
      let j = 0;
      for (const el of state) {
        while (j < seen.length && seen[j] < el) j++;
        if (j === seen.length || seen[j] !== el) return false;
        j++;
      }
      return true;
    },
  },
  describeOp: (op) => (op.f === 'add' ? `add(${show(op.value)})` : `read → ${show(op.value, 60)}`),
  describeState: (state) => '{' + state.map((c) => showCanon(c)).join(', ') + '}',
};

/** 1 when held. The model does not track the owner, as Knossos' mutex does not. */
export const mutexModel: Model<number> = {
  name: 'mutex',
  splitByKey: true,
  init: (initial) => (initial === true || initial === 1 || initial === 'held' ? 1 : 0),
  prepare(invoke: Op, completion: Op | undefined): ModelOp | null {
    if (invoke.f !== 'acquire' && invoke.f !== 'release') return unknownF('mutex', invoke, 'acquire, release');
    return { f: invoke.f, value: null, known: completion?.type === 'ok' };
  },
  step(state: number, op: ModelOp): number | undefined {
    if (op.f === 'acquire') return state === 0 ? 1 : undefined;
    return state === 1 ? 0 : undefined;
  },
  hash: (state) => state,
  describeOp: (op) => op.f,
  describeState: (state) => (state === 1 ? 'held' : 'free'),
};

/** Canonical elements, head first. */
export type QueueState = readonly string[];

export const fifoQueueModel: Model<QueueState> = {
  name: 'fifo-queue',
  splitByKey: true,
  init(initial: unknown): QueueState {
    if (initial === undefined || initial === null) return [];
    if (!Array.isArray(initial)) throw badInitial('fifo-queue', 'initial value must be a list');
    return initial.map(canon);
  },
  prepare(invoke: Op, completion: Op | undefined): ModelOp | null {
    const known = completion?.type === 'ok';
    if (invoke.f === 'enqueue') {
      const value = invokeValue(invoke, completion);
      return { f: 'enqueue', value, known, arg: canon(value) };
    }
    if (invoke.f === 'dequeue') {
      // An ok dequeue of nil (or of an empty list) observed an empty queue.
      const raw = known ? completion!.value : undefined;
      const empty = raw === null || raw === undefined || (Array.isArray(raw) && raw.length === 0);
      // An ok dequeue that saw an empty queue only observes; one that got an element removes it.
      return { f: 'dequeue', value: known ? (empty ? null : raw) : undefined, known, arg: known && !empty ? canon(raw) : null, readOnly: known && empty };
    }
    return unknownF('fifo-queue', invoke, 'enqueue, dequeue');
  },
  step(state: QueueState, op: ModelOp): QueueState | undefined {
    if (op.f === 'enqueue') return [...state, (op.arg as string | undefined) ?? canon(op.value)];
    if (!op.known) return state.length === 0 ? state : state.slice(1);
    const want = op.arg === undefined ? (op.value === null || op.value === undefined ? null : canon(op.value)) : (op.arg as string | null);
    if (want === null) return state.length === 0 ? state : undefined;
    return state.length > 0 && state[0] === want ? state.slice(1) : undefined;
  },
  hash: (state) => state.length + SEP + state.join(SEP),
  describeOp(op: ModelOp): string {
    if (op.f === 'enqueue') return `enqueue(${show(op.value)})`;
    if (!op.known) return 'dequeue → ?';
    return op.value === null ? 'dequeue → empty' : `dequeue → ${show(op.value)}`;
  },
  describeState: (state) => (state.length === 0 ? 'empty' : '[' + state.map((c) => showCanon(c)).join(', ') + ']'),
};

/**
 * A counter (Maelstrom's g-counter and pn-counter, when held to linearizability): `add` of a numeric delta,
 * `read` of the count. The initial count is 0 unless `--initial` says otherwise.
 */
export const counterModel: Model<number> = {
  name: 'counter',
  splitByKey: true,
  init(initial: unknown): number {
    if (initial === undefined || initial === null) return 0;
    if (typeof initial !== 'number' || !Number.isFinite(initial)) throw badInitial('counter', 'initial value must be a number');
    return initial;
  },
  prepare(invoke: Op, completion: Op | undefined): ModelOp | null {
    const known = completion?.type === 'ok';
    if (invoke.f === 'add') {
      const d = invoke.value;
      if (typeof d !== 'number' || !Number.isFinite(d)) throw badOp('counter', invoke, `add needs a numeric delta, got ${show(d)}`);
      return { f: 'add', value: d, known };
    }
    if (invoke.f === 'read') {
      if (!known) return null;
      const v = completion!.value;
      if (typeof v !== 'number') throw badOp('counter', completion!, `read of a counter must return a number, got ${show(v)}`);
      return { f: 'read', value: v, known, readOnly: true };
    }
    return unknownF('counter', invoke, 'add, read');
  },
  step(state: number, op: ModelOp): number | undefined {
    if (op.f === 'add') return state + (op.value as number);
    return state === op.value ? state : undefined;
  },
  hash: (state) => state,
  // Adding zero or more never lowers the count.
  growth: {
    grows: (op) => op.f === 'read' || (op.value as number) >= 0,
    canReach: (state, read) => state <= (read.value as number),
  },
  describeOp: (op) => (op.f === 'add' ? `add(${show(op.value)})` : `read → ${show(op.value)}`),
  describeState: (state) => String(state),
};
