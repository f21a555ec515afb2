/**
 * List-append inference (after Elle): every append to a key adds a unique value, so a read of a key shows
 * the order of the appends before it. The longest read of each key gives its version order; every other read
 * must be a prefix of it. From that order come the dependencies between transactions:
 * - ww: T2 appended the element right after T1's in a key's order;
 * - wr: T2 read a key whose last element T1 appended;
 * - rw: T1 read a key up to some element and T2 appended the next one (or, past the longest read, T2's
 *   append was never read at all, so it came after everything anyone saw).
 * Anomalies that need no cycle are found on the way: aborted reads (G1a), intermediate reads (G1b),
 * internal inconsistency, dirty updates, duplicate elements, incompatible orders, future reads, lost
 * updates and reads of elements nobody appended.
 */
import { InputError } from '../../histories/errors.js';
import { DepGraph, RW, WR, WW } from './graph.js';
import { ident, show, type Txn } from './txns.js';
import type { Inference, TxnAnomaly } from './inference.js';

type Id = string | number;

/**
 * One read of a key (the key is its KeyState's). Kept lean, since a 1M-transaction history has millions:
 * integer elements (the usual case) are their own identities, so `values` is stored only when it differs
 * from `ids` (read it through `valuesOf`).
 */
interface Read {
  t: number;
  ids: Id[];
  values?: unknown[];
  /** Made before the transaction appended to the key itself: what the key held when it looked. */
  external: boolean;
  /** A prefix of the key's version order (else it is an incompatible order, and yields no dependency). */
  compatible: boolean;
}

interface KeyState {
  key: unknown;
  writer: Map<string | number, number>;
  aborted: Map<string | number, number>;
  /** Each transaction's appends to this key, in its own order: one id (the usual case) or a list. */
  appendsBy: Map<number, Id | Id[]>;
  order: (string | number)[];
  orderValues: unknown[];
  pos: Map<string | number, number>;
  reads: Read[];
}

export function inferListAppend(txns: readonly Txn[]): Inference {
  const keys = new Map<string | number, KeyState>();
  const anomalies: TxnAnomaly[] = [];
  const T = (id: number): string => `op ${txns[id].op}`;
  const state = (k: string | number, key: unknown): KeyState => {
    let s = keys.get(k);
    if (!s) {
      s = { key, writer: new Map(), aborted: new Map(), appendsBy: new Map(), order: [], orderValues: [], pos: new Map(), reads: [] };
      keys.set(k, s);
    }
    return s;
  };

  // 1. Who appended what. Values must be unique per key: the whole inference rests on it.
  for (const t of txns) {
    for (const m of t.mops) {
      if (m.f === 'w') throw new InputError(`op ${t.op}: a list-append history has no "w" micro-ops (found ${show(['w', m.key, m.value])}); is it an rw-register history?`);
      if (m.f !== 'append') continue;
      const s = state(m.k, m.key);
      const v = ident(m.value);
      const prior = s.writer.get(v) ?? s.aborted.get(v);
      if (prior !== undefined) {
        throw new InputError(`ops ${txns[prior].op} and ${t.op} both append ${show(m.value)} to key ${show(m.key)}: list-append needs every appended value to be unique per key`);
      }
      (t.outcome === 'fail' ? s.aborted : s.writer).set(v, t.id);
      const had = s.appendsBy.get(t.id);
      if (had === undefined) s.appendsBy.set(t.id, v);
      else if (Array.isArray(had)) had.push(v);
      else s.appendsBy.set(t.id, [had, v]);
    }
  }

  // 2. Reads of committed transactions; internal consistency and future reads within each.
  for (const t of txns) {
    if (t.outcome !== 'ok') continue;
    const known = new Map<string | number, { full?: (string | number)[]; shared?: boolean; tail: (string | number)[] }>();
    const later = new Map<string | number, Set<string | number>>();
    for (const m of t.mops) {
      if (m.f !== 'append') continue;
      let set = later.get(m.k);
      if (!set) later.set(m.k, (set = new Set()));
      set.add(ident(m.value));
    }
    for (const m of t.mops) {
      const s = state(m.k, m.key);
      let kn = known.get(m.k);
      if (!kn) known.set(m.k, (kn = { tail: [] }));
      if (m.f === 'append') {
        const v = ident(m.value);
        later.get(m.k)!.delete(v);
        if (kn.full) {
          if (kn.shared) kn.full = kn.full.slice();
          kn.shared = false;
          kn.full.push(v);
        } else kn.tail.push(v);
        continue;
      }
      if (m.value !== null && !Array.isArray(m.value)) {
        throw new InputError(`op ${t.op}: read of key ${show(m.key)} returned ${show(m.value)}; a list-append read returns a list (or nil)`);
      }
      const values = (m.value as unknown[] | null) ?? [];
      // Integer elements (the usual case) are their own identities: no copy.
      const ids = values.every((x) => typeof x === 'number') ? (values as number[]) : values.map(ident);
      const read: Read = { t: t.id, ids, ...(ids === values ? {} : { values }), external: kn.full === undefined && kn.tail.length === 0, compatible: true };
      s.reads.push(read);
      const fut = later.get(m.k);
      if (fut && fut.size > 0) {
        const seen = ids.find((x) => fut.has(x));
        if (seen !== undefined) {
          anomalies.push({ type: 'future-read', ops: [t.op], key: m.key, message: `${T(t.id)} read key ${show(m.key)} = ${show(values, 120)}, which holds ${show(values[ids.indexOf(seen)])}, an element the same transaction appends only later` });
        }
      }
      const expect = kn.full ?? kn.tail;
      const fits = kn.full ? sameList(ids, kn.full) : endsWith(ids, kn.tail);
      if (!fits) {
        const what = kn.full ? `its own earlier read and appends imply ${show(kn.full.map((x) => valueOf(s, x)), 120)}` : `it had appended ${show(expect.map((x) => valueOf(s, x)), 80)} to it before, so the read must end with that`;
        anomalies.push({ type: 'internal', ops: [t.op], key: m.key, message: `${T(t.id)} read key ${show(m.key)} = ${show(values, 120)}, but ${what}` });
      }
      kn.full = ids;
      kn.shared = true;
    }
  }

  // 3. Version orders from the longest read of each key; every read must be a prefix of it.
  for (const s of keys.values()) {
    let longest: Read | undefined;
    for (const r of s.reads) if (!longest || r.ids.length > longest.ids.length) longest = r;
    if (longest) {
      for (let i = 0; i < longest.ids.length; i++) {
        if (s.pos.has(longest.ids[i])) continue;
        s.pos.set(longest.ids[i], s.order.length);
        s.order.push(longest.ids[i]);
        s.orderValues.push(valuesOf(longest)[i]);
      }
    }
    // Duplicates: a read that is a prefix of the longest has one only if the longest has it.
    const dupIn = (r: Read): void => {
      const seen = new Set<string | number>();
      const dup = r.ids.find((x) => (seen.has(x) ? true : (seen.add(x), false)));
      if (dup !== undefined) {
        anomalies.push({ type: 'duplicate-elements', ops: [txns[r.t].op], key: s.key, message: `${T(r.t)} read key ${show(s.key)} = ${show(valuesOf(r), 120)}, in which ${show(valuesOf(r)[r.ids.indexOf(dup)])} appears more than once; every value was appended once` });
      }
    };
    if (longest && s.order.length < longest.ids.length) dupIn(longest);
    let incompatible = 0;
    for (const r of s.reads) {
      if (r === longest || isPrefix(r.ids, longest!.ids)) continue;
      dupIn(r);
      r.compatible = false;
      if (incompatible++ < 3) {
        anomalies.push({ type: 'incompatible-order', ops: [txns[r.t].op, txns[longest!.t].op], key: s.key, message: `${T(r.t)} read key ${show(s.key)} = ${show(valuesOf(r), 120)} and ${T(longest!.t)} read ${show(valuesOf(longest!), 120)}: neither is a prefix of the other, so they saw two different orders of the same appends` });
      }
    }
    // A transaction's own appends to a key must show up as it made them: in order, and none skipped.
    for (const [w, appended] of s.appendsBy) {
      const mine = Array.isArray(appended) ? appended : [appended];
      if (s.aborted.get(mine[0]) === w) continue;
      let ok = true;
      let last = -1;
      let gone = false;
      for (const id of mine) {
        const p = s.pos.get(id);
        if (p === undefined) gone = true;
        else if (gone || p <= last) ok = false;
        else last = p;
      }
      if (!ok) {
        anomalies.push({ type: 'incompatible-order', ops: [txns[w].op], key: s.key, message: `${T(w)} appended ${show(mine.map((x) => valueOf(s, x)), 80)} to key ${show(s.key)} in that order, but the longest read of it is ${show(s.orderValues, 120)}` });
      }
    }
    // Elements nobody appended, or that a failed transaction appended.
    for (let i = 0; i < s.order.length; i++) {
      const id = s.order[i];
      if (s.writer.has(id)) continue;
      const reader = s.reads.find((r) => r.ids.includes(id))!;
      const abortedBy = s.aborted.get(id);
      if (abortedBy === undefined) {
        anomalies.push({ type: 'garbage-read', ops: [txns[reader.t].op], key: s.key, message: `${T(reader.t)} read ${show(s.orderValues[i])} in key ${show(s.key)}, a value no transaction appended` });
        continue;
      }
      anomalies.push({ type: 'G1a', ops: [txns[reader.t].op, txns[abortedBy].op], key: s.key, message: `${T(reader.t)} read key ${show(s.key)} = ${show(valuesOf(reader), 120)}, which holds ${show(s.orderValues[i])}, appended by ${T(abortedBy)}, which failed (an aborted read)` });
      const after = s.order.slice(i + 1).find((x) => s.writer.has(x));
      if (after !== undefined) {
        const w = s.writer.get(after)!;
        anomalies.push({ type: 'dirty-update', ops: [txns[abortedBy].op, txns[w].op], key: s.key, message: `key ${show(s.key)} holds ${show(s.orderValues[i])} from ${T(abortedBy)}, which failed, and after it ${show(s.orderValues[s.pos.get(after)!])} from ${T(w)}, which did not: a committed write built on an aborted one` });
      }
    }
  }

  // 4. Dependencies.
  const g = new DepGraph(txns.length);
  const lost = new Map<KeyState, Map<number, number[]>>();
  for (const s of keys.values()) {
    let prev: number | undefined;
    for (const id of s.order) {
      const w = s.writer.get(id);
      if (w === undefined) continue;
      if (prev !== undefined && prev !== w) g.add(prev, w, WW);
      prev = w;
    }
    const unread: number[] = [];
    for (const [id, w] of s.writer) if (!s.pos.has(id) && unread[unread.length - 1] !== w) unread.push(w);
    if (prev !== undefined) for (const w of unread) g.add(prev, w, WW);
    for (const r of s.reads) {
      if (!r.external || !r.compatible) continue;
      const n = r.ids.length;
      if (n > 0) {
        const w = s.writer.get(r.ids[n - 1]);
        if (w !== undefined) {
          g.add(w, r.t, WR);
          const mine = s.appendsBy.get(w)!;
          const last = Array.isArray(mine) ? mine[mine.length - 1] : mine;
          if (last !== r.ids[n - 1]) {
            const values = valuesOf(r);
            anomalies.push({ type: 'G1b', ops: [txns[r.t].op, txns[w].op], key: s.key, message: `${T(r.t)} read key ${show(s.key)} = ${show(values, 120)}, ending in ${show(values[n - 1])}, an intermediate state of ${T(w)}, which went on to append ${show(valueOf(s, last))} (an intermediate read)` });
          }
        }
      }
      if (n < s.order.length) {
        const w = s.writer.get(s.order[n]);
        // A read that stops inside one transaction's appends (G1b, reported above) gives no anti-dependency on it.
        if (w !== undefined && !(n > 0 && s.writer.get(r.ids[n - 1]) === w)) g.add(r.t, w, RW);
      } else {
        for (const w of unread) g.add(r.t, w, RW);
      }
      if (s.appendsBy.has(r.t)) {
        let byLength = lost.get(s);
        if (!byLength) lost.set(s, (byLength = new Map()));
        const l = byLength.get(n);
        if (l) l.push(r.t);
        else byLength.set(n, [r.t]);
      }
    }
  }
  for (const [s, byLength] of lost) {
    for (const [n, ts] of byLength) {
      if (ts.length < 2) continue;
      const state = n === 0 ? 'empty' : `ending in ${show(s.orderValues[n - 1])}`;
      anomalies.push({ type: 'lost-update', ops: ts.map((t) => txns[t].op), key: s.key, message: `${ts.map(T).join(', ')} each read key ${show(s.key)} in the same state (${state}) and then appended to it: each update was made without seeing the other` });
    }
  }

  return {
    graph: g,
    anomalies,
    stats: { keys: keys.size },
    explain(a, b, rel, name) {
      const A = name(a);
      const B = name(b);
      if (rel === 'ww') {
        for (const m of txns[a].mops) {
          if (m.f !== 'append') continue;
          const s = keys.get(m.k)!;
          const p = s.pos.get(ident(m.value));
          if (p === undefined) continue;
          let q = p + 1;
          while (q < s.order.length && !s.writer.has(s.order[q])) q++;
          if (q < s.order.length && s.writer.get(s.order[q]) === b) return `${B}'s append of ${show(s.orderValues[q])} to key ${show(s.key)} came right after ${A}'s append of ${show(m.value)}`;
          if (q >= s.order.length) {
            const bm = txns[b].mops.find((x) => x.f === 'append' && x.k === m.k && !s.pos.has(ident(x.value)));
            if (bm) return `${A}'s append of ${show(m.value)} is the last element of ${show(s.key)} anyone read, and ${B}'s append of ${show(bm.value)} to it was never read, so it came later`;
          }
        }
      } else if (rel === 'wr') {
        for (const s of keys.values()) {
          for (const r of s.reads) {
            if (r.t !== b || !r.external || r.ids.length === 0) continue;
            if (s.writer.get(r.ids[r.ids.length - 1]) === a) return `${B} observed ${A}'s append of ${show(valuesOf(r)[r.ids.length - 1])} to key ${show(s.key)}`;
          }
        }
      } else if (rel === 'rw') {
        for (const s of keys.values()) {
          for (const r of s.reads) {
            if (r.t !== a || !r.external || !r.compatible) continue;
            const n = r.ids.length;
            if (n < s.order.length && s.writer.get(s.order[n]) === b) return `${A} read key ${show(s.key)} = ${show(valuesOf(r), 80)}, which did not yet include ${B}'s append of ${show(s.orderValues[n])}`;
            if (n >= s.order.length) {
              const appended = txns[b].mops.find((x) => x.f === 'append' && keys.get(x.k) === s && !s.pos.has(ident(x.value)));
              if (appended) return `${A} read key ${show(s.key)} = ${show(valuesOf(r), 80)}, which did not include ${B}'s append of ${show(appended.value)}`;
            }
          }
        }
      }
      return undefined;
    },
  };
}

function valuesOf(r: Read): unknown[] {
  return r.values ?? r.ids;
}

function valueOf(s: KeyState, id: string | number): unknown {
  const p = s.pos.get(id);
  if (p !== undefined) return s.orderValues[p];
  return typeof id === 'number' ? id : id.startsWith('s') ? id.slice(1) : JSON.parse(id.slice(1));
}

function sameList(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function endsWith(a: readonly unknown[], tail: readonly unknown[]): boolean {
  if (tail.length > a.length) return false;
  const off = a.length - tail.length;
  return tail.every((x, i) => a[off + i] === x);
}

function isPrefix(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length > b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
