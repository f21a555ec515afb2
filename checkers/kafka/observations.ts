/**
 * What a kafka history says, read once: each process's sends, polls and assigns in its own order, and every
 * (key, offset, message) anyone saw, from acknowledged sends, polls and final reads. The checks in index.ts
 * read only this.
 *
 * History shape (harness/workloads' kafka client): `send` has the log's key and the message as `value`, and
 * completes ok with the offset; `poll` completes ok with `{key: [[offset, msg], ...]}`; `assign` invokes with
 * the keys the client now follows; a `final-read` completes with one key's `[[offset, msg], ...]`.
 */
import { canon } from '../../histories/canon.js';
import { FINAL_READ } from '../../histories/conventions.js';
import { isClientRecord, pairOps, type OpRecord } from '../op-records.js';
import type { Op, ProcessId } from '../../histories/op.js';

export type Pair = [offset: number, msg: unknown];

export type Event =
  | { kind: 'send'; key: string; offset: number; msg: unknown; op: number }
  | { kind: 'poll'; msgs: Map<string, Pair[]>; op: number }
  | { kind: 'assign'; keys: string[]; op: number };

export interface Observations {
  /** Each client process's completed-ok events, in its own order. */
  byProcess: Map<ProcessId, Event[]>;
  /** key → offset → distinct messages (canonical JSON → message) seen there, by anyone. */
  offsets: Map<string, Map<number, Map<string, unknown>>>;
  /** Acknowledged sends: key, offset, message, op index. */
  acked: { key: string; offset: number; msg: unknown; op: number }[];
  /** key → canonical messages any poll or final read returned, with the offsets they were seen at. */
  polled: Map<string, Map<string, Set<number>>>;
  /** key → the highest offset a poll or final read returned. */
  maxPolled: Map<string, number>;
  finalReads: number;
  /** Records that could not be read as kafka ops (not numbers where offsets belong, and so on). */
  malformed: { op: number; why: string }[];
}

/** `[[offset, message], ...]` as the kafka messages carry it, or undefined when it is not that shape. */
export function pairsOf(v: unknown): Pair[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: Pair[] = [];
  for (const p of v) {
    if (!Array.isArray(p) || p.length !== 2 || !Number.isInteger(p[0])) return undefined;
    out.push([p[0] as number, p[1]]);
  }
  return out;
}

export function observe(ops: readonly Op[]): Observations {
  const o: Observations = { byProcess: new Map(), offsets: new Map(), acked: [], polled: new Map(), maxPolled: new Map(), finalReads: 0, malformed: [] };
  const see = (key: string, offset: number, msg: unknown): void => {
    let byOffset = o.offsets.get(key);
    if (!byOffset) o.offsets.set(key, (byOffset = new Map()));
    let msgs = byOffset.get(offset);
    if (!msgs) byOffset.set(offset, (msgs = new Map()));
    msgs.set(canon(msg), msg);
  };
  const polled = (key: string, [offset, msg]: Pair): void => {
    see(key, offset, msg);
    let m = o.polled.get(key);
    if (!m) o.polled.set(key, (m = new Map()));
    const c = canon(msg);
    let at = m.get(c);
    if (!at) m.set(c, (at = new Set()));
    at.add(offset);
    o.maxPolled.set(key, Math.max(o.maxPolled.get(key) ?? -1, offset));
  };
  const push = (r: OpRecord, e: Event): void => {
    let list = o.byProcess.get(r.process);
    if (!list) o.byProcess.set(r.process, (list = []));
    list.push(e);
  };

  for (const r of pairOps(ops)) {
    if (r.outcome !== 'ok') continue;
    const opIndex = r.invoke.index;
    const value = r.completion?.value;
    if (r.f === FINAL_READ && r.key !== undefined) {
      const pairs = pairsOf(value ?? []);
      if (!pairs) {
        o.malformed.push({ op: opIndex, why: `final read of key ${String(r.key)} is not a list of [offset, msg]` });
        continue;
      }
      o.finalReads++;
      for (const p of pairs) polled(String(r.key), p);
      continue;
    }
    if (!isClientRecord(r)) continue;
    if (r.f === 'send') {
      if (!Number.isInteger(value) || r.key === undefined) {
        o.malformed.push({ op: opIndex, why: `send ok without an integer offset (got ${canon(value)})` });
        continue;
      }
      const e = { kind: 'send' as const, key: String(r.key), offset: value as number, msg: r.invoke.value, op: opIndex };
      see(e.key, e.offset, e.msg);
      o.acked.push(e);
      push(r, e);
    } else if (r.f === 'poll') {
      const msgs = new Map<string, Pair[]>();
      const obj = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
      if (!obj) {
        o.malformed.push({ op: opIndex, why: `poll ok without a map of keys to [offset, msg] lists (got ${canon(value)})` });
        continue;
      }
      let bad = false;
      for (const [k, v] of Object.entries(obj)) {
        const pairs = pairsOf(v);
        if (!pairs) bad = true;
        else msgs.set(k, pairs);
      }
      if (bad) {
        o.malformed.push({ op: opIndex, why: `poll ok with a key whose messages are not [offset, msg] pairs` });
        continue;
      }
      for (const [k, pairs] of msgs) for (const p of pairs) polled(k, p);
      push(r, { kind: 'poll', msgs, op: opIndex });
    } else if (r.f === 'assign') {
      const keys = Array.isArray(r.invoke.value) ? r.invoke.value.map(String) : [];
      push(r, { kind: 'assign', keys, op: opIndex });
    }
  }
  return o;
}
