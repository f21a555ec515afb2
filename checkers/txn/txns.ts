/**
 * Transactions read off a history for the Elle-style checkers: each client `txn` op paired with its
 * completion, its micro-ops validated (`["r", k, v]`, `["append", k, v]`, `["w", k, v]`), and given a dense
 * id. A committed (ok) transaction's micro-ops come from its completion, which says what its reads returned;
 * an indeterminate (info) or failed one keeps its invocation's micro-ops, whose reads are unknown.
 *
 * Keys and appended/written values are compared by identity of scalars: numbers and strings as themselves
 * (1 and "1" differ), anything else by canonical JSON, so lookups stay cheap on 100k-transaction histories.
 */
import { InputError } from '../../histories/errors.js';
import type { Op, ProcessId } from '../../histories/op.js';
import { canon } from '../../histories/canon.js';
import { lineOf, pairOps } from '../op-records.js';

export type MopF = 'r' | 'append' | 'w';

export interface Mop {
  f: MopF;
  /** The key as written in the history. */
  key: unknown;
  /** A lookup identity for the key (see `ident`). */
  k: string | number;
  value: unknown;
}

export type TxnOutcome = 'ok' | 'info' | 'fail';

export interface Txn {
  /** Dense id, 0..n-1, in invocation order. */
  id: number;
  /** The invocation's index in the history (what a person looks up). */
  op: number;
  process: ProcessId;
  outcome: TxnOutcome;
  invokePos: number;
  /** Position of the completion; Infinity when the history ended first (treated as info). */
  completePos: number;
  mops: Mop[];
}

/** A map key for a scalar or structured value: numbers and strings as themselves, the rest as canonical JSON. */
export function ident(v: unknown): string | number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return `s${v}`;
  return `j${canon(v)}`;
}

/** A value for people: JSON, cut short, so untrusted text never runs on. */
export function show(v: unknown, max = 60): string {
  const s = v === undefined ? 'nil' : JSON.stringify(v) ?? String(v);
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

const MOP_FS = new Set<string>(['r', 'append', 'w']);

function parseMop(raw: unknown, op: Op, i: number): Mop {
  if (!Array.isArray(raw) || raw.length !== 3) {
    throw new InputError(
      `op ${op.index}: micro-op ${i} of the txn is ${show(raw)}; expected [f, key, value] such as ["append", "x", 3] or ["r", "x", null]`,
      lineOf(op),
    );
  }
  const [f, key, value] = raw as [unknown, unknown, unknown];
  if (typeof f !== 'string' || !MOP_FS.has(f)) {
    throw new InputError(`op ${op.index}: unknown micro-op ${show(f)} in ${show(raw)}; known: "r", "append", "w"`, lineOf(op));
  }
  return { f: f as MopF, key, k: ident(key), value };
}

function parseMops(op: Op): Mop[] {
  const v = op.value;
  if (!Array.isArray(v)) {
    throw new InputError(`op ${op.index}: a txn's value must be a list of micro-ops, got ${show(v)}`, lineOf(op));
  }
  return v.map((m, i) => parseMop(m, op, i));
}

export interface TxnHistory {
  txns: Txn[];
  /** Client ops that are not transactions (ignored, but counted so a wrong checker choice is visible). */
  otherOps: number;
}

/** Every client `txn` op as a transaction. Bad micro-ops are bad input, with the op that holds them. */
export function readTxns(ops: readonly Op[]): TxnHistory {
  const txns: Txn[] = [];
  let otherOps = 0;
  for (const r of pairOps(ops)) {
    if (typeof r.process !== 'number') continue;
    if (r.f !== 'txn') {
      otherOps++;
      continue;
    }
    const outcome: TxnOutcome = r.outcome === 'ok' ? 'ok' : r.outcome === 'fail' ? 'fail' : 'info';
    const asked = parseMops(r.invoke);
    const mops = outcome === 'ok' ? parseMops(r.completion!) : asked;
    if (outcome === 'ok') {
      // The completion must describe the same transaction the client asked for.
      let same = asked.length === mops.length;
      for (let i = 0; same && i < mops.length; i++) {
        const a = asked[i];
        const m = mops[i];
        same = a.f === m.f && a.k === m.k && (m.f === 'r' || a.value === m.value || ident(a.value) === ident(m.value));
      }
      if (!same) {
        throw new InputError(`op ${r.completion!.index}: the ok txn's micro-ops ${show(r.completion!.value, 80)} differ from those invoked (op ${r.invoke.index})`, lineOf(r.completion!));
      }
    }
    txns.push({ id: txns.length, op: r.invoke.index, process: r.process, outcome, invokePos: r.invokePos, completePos: r.completePos, mops });
  }
  return { txns, otherOps };
}

/** "T3 (op 12, p4: append x 3; r y [1 2])" — how a transaction is named in explanations. */
export function describeTxn(t: Txn, label: string): string {
  const body = t.mops.map((m) => `${m.f} ${show(m.key, 30)}${m.f === 'r' && t.outcome !== 'ok' ? '' : ` ${show(m.value)}`}`).join('; ');
  const state = t.outcome === 'ok' ? '' : t.outcome === 'info' ? ', indeterminate' : ', failed';
  return `${label} = op ${t.op} by p${String(t.process)}${state}: [${body}]`;
}
