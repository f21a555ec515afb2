// Random small histories for the property tests: a simulated atomic object gives every op a real effect point
// between its invoke and completion (so most histories are linearizable), then a random corruption (a wrong
// read, a failure that was not, a success that was not) makes some of them not. Some ops end `info`, some never
// complete, and an uncertain op took effect or not at random.
import type { Op } from '../../../histories/op.js';

type Rng = () => number;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

interface Sim {
  initial: unknown;
  /** A fresh op for a process: f, invoke value, key. */
  gen(rng: Rng): { f: string; value: unknown; key?: string };
  /** Apply the op to the object state; returns [ok?, completion value]. */
  apply(state: Record<string, unknown>, op: { f: string; value: unknown; key?: string }): [boolean, unknown];
  /** Make a completion's observation wrong (in place); false if this op has nothing to corrupt. */
  corrupt(rng: Rng, op: Op): boolean;
}

const KEY = '_';
const eq = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function registerSim(withCas: boolean, initial: unknown): Sim {
  return {
    initial,
    gen: (rng) => {
      const f = pick(rng, withCas ? ['read', 'write', 'cas'] : ['read', 'write']);
      if (f === 'read') return { f, value: null };
      if (f === 'write') return { f, value: pick(rng, [0, 1, 2, 3]) };
      return { f, value: [pick(rng, [0, 1, 2]), pick(rng, [0, 1, 2, 3])] };
    },
    apply: (s, op) => {
      const cur = s[KEY] ?? initial ?? null;
      if (op.f === 'read') return [true, cur];
      if (op.f === 'write') {
        s[KEY] = op.value;
        return [true, op.value];
      }
      const [from, to] = op.value as [unknown, unknown];
      if (!eq(cur, from)) return [false, op.value];
      s[KEY] = to;
      return [true, op.value];
    },
    corrupt: (rng, op) => {
      if (op.f !== 'read') return false;
      op.value = pick(rng, [0, 1, 2, 3, null].filter((v) => !eq(v, op.value)));
      return true;
    },
  };
}

/** A read/write register whose writes each write a new value: the histories the zone test decides. */
function uniqueRegisterSim(initial: unknown): Sim {
  let next = 1;
  return {
    initial,
    gen: (rng) => (rng() < 0.5 ? { f: 'read', value: null } : { f: 'write', value: next++ }),
    apply: (s, op) => {
      if (op.f === 'read') return [true, s[KEY] ?? initial ?? null];
      s[KEY] = op.value;
      return [true, op.value];
    },
    corrupt: (rng, op) => {
      if (op.f !== 'read') return false;
      // Another value written in this history, the start value, or one nobody wrote.
      const values = [initial, ...Array.from({ length: next }, (_, i) => i + 1)].filter((v) => !eq(v, op.value));
      op.value = pick(rng, values);
      return true;
    },
  };
}

const kvSim: Sim = {
  initial: undefined,
  gen: (rng) => {
    const key = pick(rng, ['a', 'b']);
    const f = pick(rng, ['get', 'put', 'append', 'cas']);
    if (f === 'get') return { f, value: null, key };
    if (f === 'cas') return { f, value: [pick(rng, [null, 'x', 'xy']), pick(rng, ['x', 'y'])], key };
    return { f, value: pick(rng, ['x', 'y']), key };
  },
  apply: (s, op) => {
    const k = op.key!;
    const cur = s[k] ?? null;
    switch (op.f) {
      case 'get':
        return [true, cur];
      case 'put':
        s[k] = op.value;
        return [true, op.value];
      case 'append':
        s[k] = (cur === null ? '' : (cur as string)) + (op.value as string);
        return [true, op.value];
      default: {
        const [from, to] = op.value as [unknown, unknown];
        if (!eq(cur, from)) return [false, op.value];
        s[k] = to;
        return [true, op.value];
      }
    }
  },
  corrupt: (rng, op) => {
    if (op.f !== 'get') return false;
    op.value = pick(rng, [null, 'x', 'y', 'xy', 'yx'].filter((v) => !eq(v, op.value)));
    return true;
  },
};

const multiSim: Sim = {
  initial: { x: 0, y: 0 },
  gen: (rng) => {
    const n = 1 + Math.floor(rng() * 2);
    const micro = Array.from({ length: n }, () => (rng() < 0.5 ? ['r', pick(rng, ['x', 'y']), null] : ['w', pick(rng, ['x', 'y']), pick(rng, [0, 1, 2])]));
    return { f: 'txn', value: micro };
  },
  apply: (s, op) => {
    const out = (op.value as [string, string, unknown][]).map(([f, k, v]) => {
      if (f === 'w') {
        s[k] = v;
        return [f, k, v];
      }
      return [f, k, s[k] ?? 0];
    });
    return [true, out];
  },
  corrupt: (rng, op) => {
    const reads = (op.value as [string, string, unknown][]).filter((m) => m[0] === 'r');
    if (reads.length === 0) return false;
    const m = pick(rng, reads);
    m[2] = pick(rng, [0, 1, 2].filter((v) => v !== m[2]));
    return true;
  },
};

const setSim: Sim = {
  initial: undefined,
  gen: (rng) => (rng() < 0.6 ? { f: 'add', value: pick(rng, [1, 2, 3, 4]) } : { f: 'read', value: null }),
  apply: (s, op) => {
    const cur = (s[KEY] as number[] | undefined) ?? [];
    if (op.f === 'add') {
      if (!cur.includes(op.value as number)) s[KEY] = [...cur, op.value as number];
      return [true, op.value];
    }
    return [true, [...cur].reverse()];
  },
  corrupt: (rng, op) => {
    if (op.f !== 'read') return false;
    const els = op.value as number[];
    if (els.length > 0 && rng() < 0.5) els.splice(Math.floor(rng() * els.length), 1);
    else els.push(pick(rng, [1, 2, 3, 4].filter((v) => !els.includes(v)).concat([9])));
    return true;
  },
};

const mutexSim: Sim = {
  initial: undefined,
  gen: (rng) => ({ f: pick(rng, ['acquire', 'release']), value: null }),
  apply: (s, op) => {
    const held = s[KEY] === true;
    if (op.f === 'acquire') {
      if (held) return [false, null];
      s[KEY] = true;
      return [true, null];
    }
    if (!held) return [false, null];
    s[KEY] = false;
    return [true, null];
  },
  corrupt: () => false,
};

const queueSim: Sim = {
  initial: undefined,
  gen: (rng) => (rng() < 0.55 ? { f: 'enqueue', value: pick(rng, [1, 2, 3]) } : { f: 'dequeue', value: null }),
  apply: (s, op) => {
    const q = (s[KEY] as number[] | undefined) ?? [];
    if (op.f === 'enqueue') {
      s[KEY] = [...q, op.value as number];
      return [true, op.value];
    }
    if (q.length === 0) return [true, null];
    s[KEY] = q.slice(1);
    return [true, q[0]];
  },
  corrupt: (rng, op) => {
    if (op.f !== 'dequeue') return false;
    op.value = pick(rng, [null, 1, 2, 3].filter((v) => v !== op.value));
    return true;
  },
};

const counterSim: Sim = {
  initial: undefined,
  gen: (rng) => (rng() < 0.6 ? { f: 'add', value: pick(rng, [1, 2, -1, 3]) } : { f: 'read', value: null }),
  apply: (s, op) => {
    const cur = (s[KEY] as number | undefined) ?? 0;
    if (op.f === 'add') {
      s[KEY] = cur + (op.value as number);
      return [true, op.value];
    }
    return [true, cur];
  },
  corrupt: (rng, op) => {
    if (op.f !== 'read') return false;
    op.value = (op.value as number) + pick(rng, [-2, -1, 1, 2]);
    return true;
  },
};

/**
 * kv appends of values never seen before (what makes the growth pruning matter: every order of the pending
 * appends is a different string), to strings and to lists, with the odd put resetting the value.
 */
function kvAppendSim(): Sim {
  let fresh = 0;
  return {
    initial: undefined,
    gen: (rng) => {
      const r = rng();
      if (r < 0.35) return { f: 'get', value: null };
      if (r < 0.85) return { f: 'append', value: `v${fresh++}` };
      return { f: 'put', value: clone(pick(rng, ['', 'p', []])) };
    },
    apply: (s, op) => {
      const cur = s[KEY] ?? null;
      if (op.f === 'get') return [true, clone(cur)];
      if (op.f === 'put') s[KEY] = clone(op.value);
      else s[KEY] = cur === null ? op.value : Array.isArray(cur) ? [...(cur as unknown[]), op.value] : (cur as string) + (op.value as string);
      return [true, op.value];
    },
    corrupt: (rng, op) => {
      if (op.f !== 'get') return false;
      const v = op.value;
      if (Array.isArray(v)) op.value = v.length > 0 && rng() < 0.5 ? v.slice(1) : [...(v as unknown[]), 'v99'];
      else if (typeof v === 'string' && v.length > 2 && rng() < 0.5) op.value = v.slice(0, 1) + v.slice(3);
      else op.value = (typeof v === 'string' ? v : '') + 'v99';
      return true;
    },
  };
}

export const SIMS: Record<string, (rng: Rng) => Sim> = {
  /** Not a model of its own: histories for `kv` (see kvAppendSim). */
  'kv-append': () => kvAppendSim(),
  register: (rng) => registerSim(false, pick(rng, [null, 0])),
  'cas-register': (rng) => registerSim(true, pick(rng, [null, 0])),
  'register-unique': (rng) => uniqueRegisterSim(pick(rng, [null, 0])),
  kv: () => kvSim,
  'multi-register': () => multiSim,
  set: () => setSim,
  mutex: () => mutexSim,
  'fifo-queue': () => queueSim,
  counter: () => counterSim,
};

interface Running {
  process: number;
  op: { f: string; value: unknown; key?: string };
  effected: boolean;
  ok: boolean;
  result: unknown;
  /** Decided at invoke: how this op ends. */
  end: 'ok' | 'info' | 'pending';
}

/** A random history of at most `maxOps` ops; returns it with the initial value to check it against. */
/** `model` names a model, or one of the extra simulations in SIMS. */
export function randomHistory(rng: Rng, model: string, maxOps = 8, maxProcs = 4): { ops: Op[]; initial: unknown } {
  const sim = SIMS[model](rng);
  const state: Record<string, unknown> = {};
  const total = 1 + Math.floor(rng() * maxOps);
  const procs = 1 + Math.floor(rng() * maxProcs);
  const ops: Op[] = [];
  const running = new Map<number, Running>();
  let started = 0;
  let nextProcess = 0;
  const idle: number[] = [];
  for (let p = 0; p < procs; p++) idle.push(nextProcess++);
  const emit = (o: Omit<Op, 'index'>): Op => {
    const op = { index: ops.length, ...o } as Op;
    ops.push(op);
    return op;
  };
  for (let guard = 0; guard < 1000 && (started < total || [...running.values()].some((r) => r.end !== 'pending' || !r.effected)); guard++) {
    const choices: (() => void)[] = [];
    if (started < total && idle.length > 0) {
      choices.push(() => {
        const process = idle.shift()!;
        const op = sim.gen(rng);
        const roll = rng();
        const end = roll < 0.12 ? 'info' : roll < 0.2 ? 'pending' : 'ok';
        running.set(process, { process, op, effected: false, ok: false, result: undefined, end });
        started++;
        emit({ type: 'invoke', process, f: op.f, value: clone(op.value), ...(op.key ? { key: op.key } : {}) });
      });
    }
    for (const r of running.values()) {
      if (!r.effected) {
        choices.push(() => {
          r.effected = true;
          // An uncertain op takes effect only half the time.
          if (r.end !== 'ok' && rng() < 0.5) return;
          [r.ok, r.result] = sim.apply(state, r.op);
        });
      } else if (r.end !== 'pending') {
        choices.push(() => {
          running.delete(r.process);
          const type = r.end === 'info' ? 'info' : r.ok ? 'ok' : 'fail';
          emit({ type, process: r.process, f: r.op.f, value: clone(r.end === 'info' ? r.op.value : r.result), ...(r.op.key ? { key: r.op.key } : {}) });
          // A process whose op is uncertain is retired; its client continues under a new id.
          idle.push(r.end === 'info' ? nextProcess++ : r.process);
        });
      }
    }
    if (choices.length === 0) break;
    pick(rng, choices)();
  }
  if (rng() < 0.4) {
    const completions = ops.filter((o) => o.type !== 'invoke');
    for (let tries = 0; tries < 4 && completions.length > 0; tries++) {
      const c = pick(rng, completions);
      if (c.type === 'ok' && sim.corrupt(rng, c)) break;
      if (c.type === 'fail' && rng() < 0.5) {
        c.type = 'ok';
        break;
      }
      if (c.type === 'ok' && rng() < 0.3) {
        c.type = 'fail';
        break;
      }
    }
  }
  return { ops, initial: sim.initial };
}
