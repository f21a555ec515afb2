/**
 * Generators for the checker benchmarks: histories shaped like the public ones the field measures on, made here
 * so the benchmarks need no downloaded data.
 *
 * - `etcdStyleLog`: a Jepsen etcd cas-register run as jepsen.log lines (`INFO  jepsen.util - 3\t:invoke\t:cas\t[1 4]`),
 *   the shape of Porcupine's test_data/jepsen/etcd_*.log: 5 live clients, reads/writes/cas over values 0-4, ops
 *   that time out as `:info ... :timed-out` (the process is then replaced by a new one, as Jepsen does), and
 *   optionally one stale read that makes the log non-linearizable.
 * - `kvHistory`: the shape of Porcupine's test_data/kv (from a 6.824-style key/value service): N clients over 10
 *   string keys doing get/put/append of "x C N y" values, where a few ops hang for a long time (a client cut off
 *   by a partition) and complete only at the end. `bad` makes one late read stale.
 *
 * Both simulate an atomic store in which each op takes effect at one instant between its invoke and its
 * completion, so without corruption they are linearizable by construction.
 */
import type { Op } from '../histories/op.js';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface EtcdLogOptions {
  seed: number;
  /** Client ops (invoke/completion pairs) to log. */
  ops: number;
  /** Concurrent client threads (default 5). */
  clients?: number;
  /** Chance that an op times out as info (default 0.05). */
  infoRate?: number;
  /** Make one read stale, so the log is not linearizable. */
  bad?: boolean;
}

interface Live {
  process: number;
  f: 'read' | 'write' | 'cas';
  value: unknown;
  effected: boolean;
  info: boolean;
  ok: boolean;
  result: unknown;
}

const edn = (v: unknown): string => (v === null ? 'nil' : Array.isArray(v) ? `[${v.map(edn).join(' ')}]` : String(v));

/** One jepsen.log of an etcd cas-register test. */
export function etcdStyleLog(o: EtcdLogOptions): string {
  const rnd = mulberry32(o.seed);
  const clients = o.clients ?? 5;
  const infoRate = o.infoRate ?? 0.05;
  let reg: number | null = null;
  const slots: (Live | undefined)[] = new Array<Live | undefined>(clients).fill(undefined);
  const procOf = Array.from({ length: clients }, (_, i) => i);
  let nextProc = clients;
  const lines: string[] = [];
  const line = (p: number, type: string, f: string, v: unknown): void => {
    lines.push(`INFO  jepsen.util - ${p}\t:${type}\t:${f}\t${typeof v === 'string' ? v : edn(v)}`);
  };
  const staleAt = o.bad ? Math.floor(o.ops * (0.3 + 0.6 * rnd())) : -1;
  let staleDone = !o.bad;
  let invoked = 0;
  /** Register values, oldest first, each time it changed. */
  const past: (number | null)[] = [null];
  const apply = (l: Live): void => {
    if (l.f === 'read') {
      l.ok = true;
      l.result = reg;
    } else if (l.f === 'write') {
      reg = l.value as number;
      l.ok = true;
    } else {
      const [from, to] = l.value as [number, number];
      l.ok = reg === from;
      if (l.ok) reg = to;
    }
    if (reg !== past[past.length - 1]) past.push(reg);
  };
  while (invoked < o.ops || slots.some((s) => s)) {
    const c = Math.floor(rnd() * clients);
    const l = slots[c];
    if (!l) {
      if (invoked >= o.ops) continue;
      const r = rnd();
      const f = r < 0.4 ? 'read' : r < 0.7 ? 'write' : 'cas';
      const value = f === 'read' ? null : f === 'write' ? Math.floor(rnd() * 5) : [Math.floor(rnd() * 5), Math.floor(rnd() * 5)];
      const live: Live = { process: procOf[c], f, value, effected: false, info: f !== 'read' && rnd() < infoRate, ok: false, result: undefined };
      slots[c] = live;
      line(live.process, 'invoke', f, value);
      invoked++;
    } else if (!l.effected) {
      l.effected = true;
      if (!l.info || rnd() < 0.5) apply(l);
    } else {
      slots[c] = undefined;
      if (l.info) {
        line(l.process, 'info', l.f, ':timed-out');
        procOf[c] = nextProc++;
      } else if (l.f === 'read') {
        // The stale read: the value from three changes back, when that differs.
        let v = l.result;
        const old = past.length >= 4 ? past[past.length - 4] : undefined;
        if (!staleDone && invoked >= staleAt && old !== undefined && old !== v) {
          v = old;
          staleDone = true;
        }
        line(l.process, 'ok', 'read', v);
      } else {
        line(l.process, l.ok ? 'ok' : 'fail', l.f, l.value);
      }
    }
  }
  return lines.join('\n') + '\n';
}

export interface KvOptions {
  seed: number;
  clients?: number;
  keys?: number;
  /** Client ops (invoke/completion pairs). */
  ops?: number;
  /** Chance that an op hangs until the end of the history (default 0.01). */
  hangRate?: number;
  bad?: boolean;
}

interface KvLive {
  process: number;
  f: 'get' | 'put' | 'append';
  key: string;
  value: string | null;
  hang: boolean;
  effected: boolean;
  result: string | null;
  /** get: the appends to its key that had completed when it was invoked. */
  doneBefore: string[];
}

/** A Porcupine-style kv history (faultline ops; `key` is the key, `value` the argument or what a get saw). */
export function kvHistory(o: KvOptions): Op[] {
  const rnd = mulberry32(o.seed);
  const clients = o.clients ?? 50;
  const keys = o.keys ?? 10;
  const total = o.ops ?? 2000;
  const hangRate = o.hangRate ?? 0.01;
  const store = new Map<string, string>();
  /** Per key, the values of completed appends. */
  const completed = new Map<string, string[]>();
  const counters = new Array<number>(clients).fill(0);
  const slots: (KvLive | undefined)[] = new Array<KvLive | undefined>(clients).fill(undefined);
  const out: Op[] = [];
  const emit = (process: number, type: 'invoke' | 'ok', f: string, key: string, value: string | null): void => {
    out.push({ index: out.length, process, type, f, key, value } as Op);
  };
  let invoked = 0;
  let badDone = !o.bad;
  const badFrom = Math.floor(total * 0.85);
  const apply = (l: KvLive): void => {
    const cur = store.get(l.key) ?? '';
    if (l.f === 'get') l.result = cur;
    else {
      store.set(l.key, l.f === 'put' ? l.value! : cur + l.value!);
    }
  };
  for (;;) {
    const busy = slots.some((s) => s && !s.hang);
    if (invoked >= total && !busy) break;
    const c = Math.floor(rnd() * clients);
    const l = slots[c];
    if (!l) {
      if (invoked >= total) continue;
      const r = rnd();
      const f = r < 0.5 ? 'get' : r < 0.9 ? 'append' : 'put';
      const key = String(Math.floor(rnd() * keys));
      const value = f === 'get' ? null : `x ${c} ${counters[c]++} y`;
      const doneBefore = f === 'get' ? [...(completed.get(key) ?? [])] : [];
      // At most 40% of the clients hang at once, so the others keep the history going.
      const hang = rnd() < hangRate && slots.filter((x) => x?.hang).length < clients * 0.4;
      const live: KvLive = { process: c, f, key, value, hang, effected: false, result: null, doneBefore };
      slots[c] = live;
      emit(c, 'invoke', f, key, value);
      invoked++;
    } else if (l.hang) {
      continue;
    } else if (!l.effected) {
      l.effected = true;
      apply(l);
    } else {
      slots[c] = undefined;
      let v = l.f === 'get' ? l.result : l.value;
      if (l.f === 'append') {
        const list = completed.get(l.key) ?? [];
        list.push(l.value!);
        completed.set(l.key, list);
      }
      // The stale read misses an append that had completed before the read began: no order explains that.
      const missed = l.doneBefore.findLast((c) => v!.includes(c));
      if (l.f === 'get' && !badDone && invoked >= badFrom && missed !== undefined) {
        v = v!.replace(missed, '');
        badDone = true;
      }
      emit(c, 'ok', l.f, l.key, v);
    }
  }
  // The hung clients come back at the end: each op took effect at some point in its long window (here, in a
  // random order now), then all of them complete.
  const hung = slots.filter((s): s is KvLive => s !== undefined);
  for (let i = hung.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [hung[i], hung[j]] = [hung[j], hung[i]];
  }
  for (const l of hung) apply(l);
  for (const l of hung) emit(l.process, 'ok', l.f, l.key, l.f === 'get' ? l.result : l.value);
  return out;
}

export interface HardRegisterOptions {
  seed: number;
  /** Client ops (invoke/completion pairs). */
  ops: number;
  clients?: number;
  /** Chance that a write times out (`info`): it may or may not have happened, and stays open to the end. */
  infoRate?: number;
}

/**
 * A valid single-key cas-register history that is hard to search: one key (nothing to split by), and writes
 * that time out, each of which may take effect at any later point, so every crashed write multiplies the
 * orders the search must keep open. Values are unique per write; reads return what the register held.
 */
export function hardRegisterHistory(o: HardRegisterOptions): Op[] {
  const rnd = mulberry32(o.seed);
  const clients = o.clients ?? 10;
  const infoRate = o.infoRate ?? 0.002;
  const out: Op[] = [];
  let reg: number | null = null;
  let next = 1;
  let invoked = 0;
  const live: ({ f: 'read' | 'write'; value: number | null; effected: boolean } | undefined)[] = new Array(clients).fill(undefined);
  const proc = Array.from({ length: clients }, (_, i) => i);
  let nextProc = clients;
  const emit = (process: number, type: string, f: string, value: number | null): void => {
    out.push({ index: out.length, process, type, f, key: 'x', value } as Op);
  };
  while (invoked < o.ops || live.some(Boolean)) {
    const c = Math.floor(rnd() * clients);
    const l = live[c];
    if (!l) {
      if (invoked >= o.ops) continue;
      const f = rnd() < 0.5 ? 'read' : 'write';
      const value = f === 'write' ? next++ : null;
      live[c] = { f, value, effected: false };
      emit(proc[c], 'invoke', f, value);
      invoked++;
    } else if (!l.effected) {
      l.effected = true;
      if (l.f === 'write' && rnd() < infoRate) {
        // Timed out: it happened (or not, at random) and its process is retired for a fresh one.
        if (rnd() < 0.5) reg = l.value;
        emit(proc[c], 'info', 'write', l.value);
        proc[c] = nextProc++;
        live[c] = undefined;
        continue;
      }
      if (l.f === 'write') reg = l.value;
      else l.value = reg;
    } else {
      emit(proc[c], 'ok', l.f, l.value);
      live[c] = undefined;
    }
  }
  return out;
}

export interface GSetOptions {
  seed: number;
  /** Stop once the file holds about this many bytes. */
  bytes: number;
  clients?: number;
  /** One op in this many is a whole-set read (default 10: the set workload's 1 in 10). */
  readEvery?: number;
  /** Ops between partition changes (default 2,000). */
  partitionEvery?: number;
  /** Lose one acknowledged element from every final read (a broken g-set). */
  bad?: boolean;
}

/**
 * A g-set history as an unthrottled `--workload set --keys 1` run under partitions writes it, yielded line by
 * line (JSONL) so that a file of hundreds of MB is written without being held. Elements are 1, 2, 3, ... in
 * acknowledgement order; a node sees a prefix of them: the majority side lags a little, the minority side of a
 * partition stays where it was cut off (stale reads). After the load, one final-read round on five nodes. The
 * size is quadratic in the ops (every read lists the set so far), which is the point.
 */
export function* gsetHistoryLines(o: GSetOptions): Generator<string> {
  const rnd = mulberry32(o.seed);
  const clients = o.clients ?? 10;
  const readEvery = o.readEvery ?? 10;
  const partitionEvery = o.partitionEvery ?? 2000;
  const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'];
  let index = 0;
  let time = 0;
  let bytes = 0;
  const line = (op: Record<string, unknown>): string => {
    const s = JSON.stringify({ index: index++, time: (time += 50_000), ...op });
    bytes += s.length + 1;
    return s;
  };
  /** The set as text, "1,2,...,n", and where each prefix ends in it. */
  let text = '';
  const ends: number[] = [0];
  const prefix = (n: number): string => `[${text.slice(0, ends[n])}]`;
  let acked = 0;
  let frozen: number | undefined;
  const minority = new Set(['n4', 'n5']);
  for (let i = 0; bytes < o.bytes; i++) {
    if (i > 0 && i % partitionEvery === 0) {
      if (frozen === undefined) {
        frozen = acked;
        yield line({ process: 'nemesis', type: 'info', f: 'start-partition', value: { shape: 'majority-minority', components: [['n1', 'n2', 'n3'], ['n4', 'n5']] } });
      } else {
        frozen = undefined;
        yield line({ process: 'nemesis', type: 'info', f: 'stop-partition', value: null });
      }
    }
    const p = i % clients;
    const node = nodes[p % nodes.length];
    if (i % readEvery === readEvery - 1) {
      yield line({ process: p, type: 'invoke', f: 'read', key: 0, value: null, node });
      const lag = Math.floor(rnd() * 3);
      const seen = frozen !== undefined && minority.has(node) ? frozen : Math.max(0, acked - lag);
      yield line({ process: p, type: 'ok', f: 'read', key: 0, value: '__SET__', node }).replace('"__SET__"', prefix(seen));
      bytes += ends[seen] + 2;
      continue;
    }
    const e = acked + 1;
    yield line({ process: p, type: 'invoke', f: 'add', key: 0, value: e, node });
    acked = e;
    text += (acked > 1 ? ',' : '') + String(e);
    ends.push(text.length);
    yield line({ process: p, type: 'ok', f: 'add', key: 0, value: e, node });
  }
  yield line({ process: 'nemesis', type: 'info', f: 'heal', value: null });
  // The bad twin loses element 1 everywhere.
  const all = o.bad ? `[${text.slice(ends[1] + 1)}]` : prefix(acked);
  for (let n = 0; n < nodes.length; n++) {
    const process = 1_000_000_000 + n;
    yield line({ process, type: 'invoke', f: 'final-read', key: 0, value: null, node: nodes[n], round: 0 });
    yield line({ process, type: 'ok', f: 'final-read', key: 0, value: '__SET__', node: nodes[n], round: 0 }).replace('"__SET__"', all);
  }
  yield line({ process: 'nemesis', type: 'info', f: 'final-reads-done', value: { converged: true, rounds: 1, boundMs: 10_000 } });
}
