/**
 * Read-write register inference (after Elle's rw-register): each write to a key writes a unique value, so a
 * read names the transaction it observed (wr). Unlike list-append a read says nothing about the versions
 * before it, so the version order of each key is partial, built from what is certain:
 * - the initial state (nil) precedes every written version;
 * - writes follow reads: a transaction that read v1 of a key and then wrote v2 to it puts v1 before v2.
 * From each known pair v1 < v2 come ww (writer of v1 before writer of v2) and rw (every reader of v1 before
 * the writer of v2). Cycles in this graph are real anomalies; a cycle-free graph does not prove the history
 * serializable, since version orders Elle cannot infer may hide some (exactly as with Elle).
 */
import { InputError } from '../../histories/errors.js';
import { DepGraph, RW, WR, WW } from './graph.js';
import { ident, show, type Txn } from './txns.js';
import type { Inference, TxnAnomaly } from './inference.js';

type Id = string | number;
const NIL: Id = 'nil';

interface ExtRead {
  t: number;
  id: Id;
  value: unknown;
}

interface KeyState {
  key: unknown;
  writer: Map<Id, number>;
  aborted: Map<Id, number>;
  writesBy: Map<number, { id: Id; value: unknown }[]>;
  readers: Map<Id, ExtRead[]>;
  /** Known version pairs before < after, from writes following reads: [before, after, the writing txn]. */
  follows: [Id, Id, number][];
}

export function inferRwRegister(txns: readonly Txn[]): Inference {
  const keys = new Map<Id, KeyState>();
  const anomalies: TxnAnomaly[] = [];
  const T = (id: number): string => `op ${txns[id].op}`;
  const state = (k: Id, key: unknown): KeyState => {
    let s = keys.get(k);
    if (!s) keys.set(k, (s = { key, writer: new Map(), aborted: new Map(), writesBy: new Map(), readers: new Map(), follows: [] }));
    return s;
  };

  for (const t of txns) {
    for (const m of t.mops) {
      if (m.f === 'append') throw new InputError(`op ${t.op}: an rw-register history has no "append" micro-ops (found ${show(['append', m.key, m.value])}); is it a list-append history?`);
      if (m.f !== 'w') continue;
      if (m.value === null || m.value === undefined) throw new InputError(`op ${t.op}: writes nil to key ${show(m.key)}; rw-register needs written values to differ from the initial nil`);
      const s = state(m.k, m.key);
      const v = ident(m.value);
      const prior = s.writer.get(v) ?? s.aborted.get(v);
      if (prior !== undefined) throw new InputError(`ops ${txns[prior].op} and ${t.op} both write ${show(m.value)} to key ${show(m.key)}: rw-register needs every written value to be unique per key`);
      (t.outcome === 'fail' ? s.aborted : s.writer).set(v, t.id);
      const list = s.writesBy.get(t.id);
      if (list) list.push({ id: v, value: m.value });
      else s.writesBy.set(t.id, [{ id: v, value: m.value }]);
    }
  }

  for (const t of txns) {
    if (t.outcome !== 'ok') continue;
    const known = new Map<Id, Id>();
    const later = new Map<Id, Set<Id>>();
    for (const m of t.mops) if (m.f === 'w') (later.get(m.k) ?? later.set(m.k, new Set()).get(m.k)!).add(ident(m.value));
    const firstRead = new Map<Id, ExtRead>();
    for (const m of t.mops) {
      const s = state(m.k, m.key);
      if (m.f === 'w') {
        const v = ident(m.value);
        later.get(m.k)!.delete(v);
        // The transaction's last write after its external read of the key: the version read came before it.
        const r = firstRead.get(m.k);
        const mine = s.writesBy.get(t.id)!;
        if (r && mine[mine.length - 1].id === v) s.follows.push([r.id, v, t.id]);
        known.set(m.k, v);
        continue;
      }
      const v = m.value === null || m.value === undefined ? NIL : ident(m.value);
      if (known.has(m.k)) {
        if (known.get(m.k) !== v) anomalies.push({ type: 'internal', ops: [t.op], key: m.key, message: `${T(t.id)} read key ${show(m.key)} = ${show(m.value)}, but by its own earlier read or write the key held ${show(valueOf(s, known.get(m.k)!))}` });
        continue;
      }
      known.set(m.k, v);
      if (later.get(m.k)?.has(v)) {
        anomalies.push({ type: 'future-read', ops: [t.op], key: m.key, message: `${T(t.id)} read key ${show(m.key)} = ${show(m.value)}, a value the same transaction writes only later` });
        continue;
      }
      const r: ExtRead = { t: t.id, id: v, value: m.value ?? null };
      firstRead.set(m.k, r);
      const list = s.readers.get(v);
      if (list) list.push(r);
      else s.readers.set(v, [r]);
    }
  }

  const g = new DepGraph(txns.length);
  for (const s of keys.values()) {
    for (const [v, rs] of s.readers) {
      if (v === NIL) {
        // The initial state precedes every write: each reader of nil precedes each writer of the key.
        for (const r of rs) for (const w of s.writesBy.keys()) if (s.writer.has(s.writesBy.get(w)![0].id)) g.add(r.t, w, RW);
        continue;
      }
      const w = s.writer.get(v);
      if (w === undefined) {
        const ab = s.aborted.get(v);
        for (const r of rs.slice(0, 3)) {
          anomalies.push(
            ab === undefined
              ? { type: 'garbage-read', ops: [txns[r.t].op], key: s.key, message: `${T(r.t)} read key ${show(s.key)} = ${show(r.value)}, a value no transaction wrote` }
              : { type: 'G1a', ops: [txns[r.t].op, txns[ab].op], key: s.key, message: `${T(r.t)} read key ${show(s.key)} = ${show(r.value)}, written by ${T(ab)}, which failed (an aborted read)` },
          );
        }
        continue;
      }
      const mine = s.writesBy.get(w)!;
      for (const r of rs) {
        g.add(w, r.t, WR);
        if (mine[mine.length - 1].id !== v) {
          anomalies.push({ type: 'G1b', ops: [txns[r.t].op, txns[w].op], key: s.key, message: `${T(r.t)} read key ${show(s.key)} = ${show(r.value)}, an intermediate state of ${T(w)}, which went on to write ${show(mine[mine.length - 1].value)} (an intermediate read)` });
        }
      }
    }
    for (const [before, , w] of s.follows) {
      const prior = before === NIL ? undefined : s.writer.get(before);
      if (prior !== undefined) g.add(prior, w, WW);
      for (const r of s.readers.get(before) ?? []) g.add(r.t, w, RW);
    }
    // Lost update: several transactions read the same version and each wrote the key after it.
    const byVersion = new Map<Id, number[]>();
    for (const [before, , w] of s.follows) (byVersion.get(before) ?? byVersion.set(before, []).get(before)!).push(w);
    for (const [before, ws] of byVersion) {
      if (ws.length < 2) continue;
      anomalies.push({ type: 'lost-update', ops: ws.map((w) => txns[w].op), key: s.key, message: `${ws.map(T).join(', ')} each read key ${show(s.key)} = ${show(valueOf(s, before))} and then wrote it: each update was made without seeing the other` });
    }
  }

  return {
    graph: g,
    anomalies,
    stats: { keys: keys.size },
    explain(a, b, rel, name) {
      const A = name(a);
      const B = name(b);
      for (const s of keys.values()) {
        if (rel === 'wr') {
          for (const { id, value } of s.writesBy.get(a) ?? []) if ((s.readers.get(id) ?? []).some((r) => r.t === b)) return `${B} read key ${show(s.key)} = ${show(value)}, written by ${A}`;
        } else if (rel === 'ww') {
          for (const [before, after, w] of s.follows) if (w === b && s.writer.get(before) === a) return `${B} read key ${show(s.key)} = ${show(valueOf(s, before))}, written by ${A}, and then overwrote it with ${show(valueOf(s, after))}`;
        } else {
          if ((s.readers.get(NIL) ?? []).some((r) => r.t === a) && s.writesBy.has(b)) return `${A} read key ${show(s.key)} = nil, the initial state, which ${B}'s write of ${show(s.writesBy.get(b)![0].value)} replaced`;
          for (const [before, after, w] of s.follows) if (w === b && (s.readers.get(before) ?? []).some((r) => r.t === a)) return `${A} read key ${show(s.key)} = ${show(valueOf(s, before))}, which ${B} overwrote with ${show(valueOf(s, after))}`;
        }
      }
      return undefined;
    },
  };
}

function valueOf(s: KeyState, id: Id): unknown {
  if (id === NIL) return null;
  for (const ws of s.writesBy.values()) for (const w of ws) if (w.id === id) return w.value;
  return typeof id === 'number' ? id : String(id).slice(1);
}
