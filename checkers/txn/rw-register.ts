/**
 * Read-write register inference (after Elle's rw-register): each write to a key writes a unique value, so a
 * read names the transaction it observed (wr). Unlike list-append a read says nothing about the versions
 * before it, so the version order of each key is partial, built from what is certain:
 * - the initial state (nil) precedes every written version;
 * - writes follow reads: a transaction that read v1 of a key and then wrote v2 to it puts v1 before v2.
 * From each known pair v1 < v2 come ww (writer of v1 before writer of v2) and rw (every reader of v1 before
 * the writer of v2). Cycles in this graph are real anomalies; a cycle-free graph does not prove the history
 * serializable, since version orders Elle cannot infer may hide some (exactly as with Elle).
 *
 * Two assumptions the user may add about each key on its own, as Elle's options of the same names do:
 * - `sequentialKeys`: each key is sequentially consistent, so the versions one process saw of a key, txn
 *   after txn, come in version order;
 * - `linearizableKeys`: each key is linearizable, so a txn that began after another completed saw a version
 *   of the key no older than the last one the other saw.
 * Their pairs join the version order; a key whose version order then has a cycle is `cyclic-versions` (the
 * assumption or the data is wrong), and its assumed pairs give no dependencies.
 */
import { InputError } from '../../histories/errors.js';
import { DepGraph, RW, stronglyConnected, WR, WW } from './graph.js';
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
  /** Pairs before < after from the per-key assumptions: [before, after, why in words]. */
  assumed: [Id, Id, string][];
}

export interface RwRegisterOptions {
  /** Each key is sequentially consistent: one process's successive txns saw its versions in order. */
  sequentialKeys?: boolean;
  /** Each key is linearizable: a txn that began after another ended saw a version no older than it did. */
  linearizableKeys?: boolean;
}

export function inferRwRegister(txns: readonly Txn[], opts: RwRegisterOptions = {}): Inference {
  const keys = new Map<Id, KeyState>();
  const anomalies: TxnAnomaly[] = [];
  const T = (id: number): string => `op ${txns[id].op}`;
  const state = (k: Id, key: unknown): KeyState => {
    let s = keys.get(k);
    if (!s) keys.set(k, (s = { key, writer: new Map(), aborted: new Map(), writesBy: new Map(), readers: new Map(), follows: [], assumed: [] }));
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

  if (opts.sequentialKeys || opts.linearizableKeys) assumeVersionOrders(txns, keys, opts);
  const cyclic = new Set<KeyState>();
  for (const s of keys.values()) {
    if (s.assumed.length === 0) continue;
    const cycle = versionCycle(s);
    if (!cycle) continue;
    cyclic.add(s);
    anomalies.push({
      type: 'cyclic-versions',
      ops: cycle.flatMap((v) => (s.writer.has(v) ? [txns[s.writer.get(v)!].op] : [])),
      key: s.key,
      message: `the versions of key ${show(s.key)} have no order: ${cycle.map((v) => show(valueOf(s, v))).join(' < ')} < ${show(valueOf(s, cycle[0]))} (from writes following reads${opts.sequentialKeys ? ', each process\'s order' : ''}${opts.linearizableKeys ? ', real time' : ''})`,
    });
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
    if (!cyclic.has(s)) {
      for (const [before, after] of s.assumed) {
        const a = s.writer.get(after);
        if (a === undefined) continue;
        const prior = before === NIL ? undefined : s.writer.get(before);
        if (prior !== undefined) g.add(prior, a, WW);
        for (const r of s.readers.get(before) ?? []) g.add(r.t, a, RW);
      }
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
    stats: { keys: keys.size, ...(opts.sequentialKeys || opts.linearizableKeys ? { assumedVersionPairs: [...keys.values()].reduce((n, s) => n + s.assumed.length, 0) } : {}) },
    explain(a, b, rel, name) {
      const A = name(a);
      const B = name(b);
      for (const s of keys.values()) {
        if (rel === 'wr') {
          for (const { id, value } of s.writesBy.get(a) ?? []) if ((s.readers.get(id) ?? []).some((r) => r.t === b)) return `${B} read key ${show(s.key)} = ${show(value)}, written by ${A}`;
        } else if (rel === 'ww') {
          for (const [before, after, w] of s.follows) if (w === b && s.writer.get(before) === a) return `${B} read key ${show(s.key)} = ${show(valueOf(s, before))}, written by ${A}, and then overwrote it with ${show(valueOf(s, after))}`;
          for (const [before, after, why] of s.assumed) if (s.writer.get(before) === a && s.writer.get(after) === b) return `${A}'s write of ${show(valueOf(s, before))} to key ${show(s.key)} came before ${B}'s write of ${show(valueOf(s, after))}, since ${why}`;
        } else {
          for (const [before, after, why] of s.assumed) {
            if (s.writer.get(after) === b && (s.readers.get(before) ?? []).some((r) => r.t === a)) return `${A} read key ${show(s.key)} = ${show(valueOf(s, before))}, which came before ${B}'s write of ${show(valueOf(s, after))}, since ${why}`;
          }
          if ((s.readers.get(NIL) ?? []).some((r) => r.t === a) && s.writesBy.has(b)) return `${A} read key ${show(s.key)} = nil, the initial state, which ${B}'s write of ${show(s.writesBy.get(b)![0].value)} replaced`;
          for (const [before, after, w] of s.follows) if (w === b && (s.readers.get(before) ?? []).some((r) => r.t === a)) return `${A} read key ${show(s.key)} = ${show(valueOf(s, before))}, which ${B} overwrote with ${show(valueOf(s, after))}`;
        }
      }
      return undefined;
    },
  };
}

/** The version of `k` a committed txn saw first and last (a read's value or a write's), per key it touched. */
function versionsSeen(t: Txn): Map<Id, { key: unknown; first: Id; last: Id }> {
  const out = new Map<Id, { key: unknown; first: Id; last: Id }>();
  for (const m of t.mops) {
    const v = m.value === null || m.value === undefined ? NIL : ident(m.value);
    const cur = out.get(m.k);
    if (cur) cur.last = v;
    else out.set(m.k, { key: m.key, first: v, last: v });
  }
  return out;
}

/** The pairs sequential or linearizable keys imply, added to each key's `assumed`. Only committed txns count. */
function assumeVersionOrders(txns: readonly Txn[], keys: Map<Id, KeyState>, opts: RwRegisterOptions): void {
  // A version nobody wrote (a garbage read, reported as such) takes no part in the order.
  const known = (s: KeyState, v: Id): boolean => v === NIL || s.writer.has(v);
  const add = (k: Id, before: Id, after: Id, why: () => string): void => {
    const s = keys.get(k);
    if (!s || before === after || !known(s, before) || !known(s, after)) return;
    s.assumed.push([before, after, why()]);
  };
  const seen = txns.map((t) => (t.outcome === 'ok' ? versionsSeen(t) : undefined));
  if (opts.sequentialKeys) {
    // Per process and key, the last committed txn that touched it; processes run one txn at a time.
    const last = new Map<string, number>();
    for (const t of txns) {
      const vs = seen[t.id];
      if (!vs) continue;
      for (const [k, { first }] of vs) {
        const at = `${String(t.process)}\u0000${String(k)}`;
        const prev = last.get(at);
        if (prev !== undefined) {
          const p = prev;
          add(k, seen[p]!.get(k)!.last, first, () => `process ${String(t.process)} saw the one (op ${txns[p].op}) and then the other (op ${t.op}), and each key is sequential`);
        }
        last.set(at, t.id);
      }
    }
  }
  if (opts.linearizableKeys) {
    // Per key: for each txn, the txn that touched the key and completed last before it began.
    const byKey = new Map<Id, number[]>();
    for (const t of txns) if (seen[t.id]) for (const k of seen[t.id]!.keys()) (byKey.get(k) ?? byKey.set(k, []).get(k)!).push(t.id);
    for (const [k, ids] of byKey) {
      const byEnd = [...ids].sort((a, b) => txns[a].completePos - txns[b].completePos);
      let i = 0;
      let latest = -1;
      for (const b of ids) {
        while (i < byEnd.length && txns[byEnd[i]].completePos < txns[b].invokePos) latest = byEnd[i++];
        if (latest < 0) continue;
        const a = latest;
        add(k, seen[a]!.get(k)!.last, seen[b]!.get(k)!.first, () => `op ${txns[a].op} completed before op ${txns[b].op} began, and each key is linearizable`);
      }
    }
  }
}

/** A cycle in a key's version order (nil first, writes following reads, and the assumed pairs), if any. */
function versionCycle(s: KeyState): Id[] | undefined {
  const ids: Id[] = [NIL];
  const index = new Map<Id, number>([[NIL, 0]]);
  const at = (v: Id): number => index.get(v) ?? (index.set(v, ids.push(v) - 1), ids.length - 1);
  const pairs: [number, number][] = [];
  for (const [b, a] of s.follows) pairs.push([at(b), at(a)]);
  for (const [b, a] of s.assumed) pairs.push([at(b), at(a)]);
  const g = new DepGraph(ids.length);
  for (let v = 1; v < ids.length; v++) g.add(0, v, WW);
  for (const [b, a] of pairs) g.add(b, a, WW);
  const { components } = stronglyConnected(g, WW);
  if (components.length === 0) return undefined;
  // One cycle through the first component, for the message: walk successors inside it until one repeats.
  const comp = components[0];
  const inComp = new Set(comp);
  const path: number[] = [comp[0]];
  const pos = new Map<number, number>([[comp[0], 0]]);
  for (;;) {
    const v = path[path.length - 1];
    let next = -1;
    for (let e = g.start[v]; e < g.start[v + 1]; e++) if (inComp.has(g.targets[e])) { next = g.targets[e]; break; }
    if (next < 0) return comp.map((x) => ids[x]);
    const seenAt = pos.get(next);
    if (seenAt !== undefined) return path.slice(seenAt).map((x) => ids[x]);
    pos.set(next, path.length);
    path.push(next);
  }
}

function valueOf(s: KeyState, id: Id): unknown {
  if (id === NIL) return null;
  for (const ws of s.writesBy.values()) for (const w of ws) if (w.id === id) return w.value;
  return typeof id === 'number' ? id : String(id).slice(1);
}
