/**
 * Bank checker (after Jepsen's bank test): clients `transfer` amounts between accounts and `read` every
 * balance at once. Transfers move money, never make or destroy it, so every committed read must show the
 * same total across the same accounts; balances must be numbers, and (unless the system allows overdrafts)
 * never negative. A read that breaks this saw a transfer half applied, or one applied twice.
 */
import { InputError } from '../histories/errors.js';
import type { Op } from '../histories/op.js';
import type { Checker } from './checker.js';
import { isClientRecord, lineOf, pairOps } from './op-records.js';
import type { Anomaly, CheckResult } from './result.js';

export interface BankOptions {
  /** The accounts every read must show; default: those of the first ok read. */
  accounts?: string[];
  /** The total every read must sum to; default: the first ok read's total. */
  total?: number;
  /** Whether balances may go below zero. Default false. */
  negativeBalances?: boolean;
}

const show = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 100 ? `${s.slice(0, 97)}...` : s;
};

export function checkBank(ops: readonly Op[], opts: BankOptions = {}): CheckResult {
  const reads = pairOps(ops).filter((r) => isClientRecord(r) && r.f === 'read' && r.outcome === 'ok');
  const transfers = pairOps(ops).filter((r) => isClientRecord(r) && r.f === 'transfer');
  if (reads.length === 0) {
    return { checker: 'bank', valid: 'unknown', anomalies: [], stats: { reads: 0, transfers: transfers.length }, reason: 'no read completed ok, so no balance was ever seen' };
  }
  const first = reads[0].completion!;
  const balancesOf = (op: Op): Record<string, unknown> => {
    const v = op.value;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      throw new InputError(`op ${op.index}: a bank read returns a map of account to balance, got ${show(v)}`, lineOf(op));
    }
    return v as Record<string, unknown>;
  };
  const accounts = opts.accounts ?? Object.keys(balancesOf(first));
  const expected = new Set(accounts.map(String));
  const sumOf = (b: Record<string, unknown>): number => Object.values(b).reduce<number>((s, x) => s + (typeof x === 'number' ? x : 0), 0);
  const total = opts.total ?? sumOf(balancesOf(first));
  const notes: string[] = [];
  if (opts.accounts === undefined) notes.push(`accounts ${accounts.join(', ')} taken from the first read (--accounts to choose)`);
  if (opts.total === undefined) notes.push(`total ${total} taken from the first read (--total to choose)`);

  const anomalies: Anomaly[] = [];
  const counts: Record<string, number> = {};
  const add = (a: Anomaly): void => {
    counts[a.kind] = (counts[a.kind] ?? 0) + 1;
    if (counts[a.kind] <= 10) anomalies.push(a);
  };
  for (const r of reads) {
    const op = r.completion!;
    const b = balancesOf(op);
    const who = `op ${r.invoke.index} (p${String(r.process)})`;
    const keys = Object.keys(b);
    const missing = accounts.filter((a) => !Object.hasOwn(b, a));
    const extra = keys.filter((k) => !expected.has(k));
    if (missing.length > 0) add({ kind: 'missing-account', op: r.invoke.index, accounts: missing, message: `${who} read no balance for account(s) ${missing.join(', ')}` });
    if (extra.length > 0) add({ kind: 'unexpected-account', op: r.invoke.index, accounts: extra, message: `${who} read account(s) ${extra.map(show).join(', ')}, which are not among ${accounts.join(', ')}` });
    const bad = keys.filter((k) => typeof b[k] !== 'number' || !Number.isFinite(b[k]));
    if (bad.length > 0) add({ kind: 'nil-balance', op: r.invoke.index, message: `${who} read ${bad.map((k) => `${k} = ${show(b[k])}`).join(', ')}, not a number` });
    const neg = keys.filter((k) => typeof b[k] === 'number' && (b[k] as number) < 0);
    if (neg.length > 0 && !opts.negativeBalances) add({ kind: 'negative-value', op: r.invoke.index, message: `${who} read a negative balance: ${neg.map((k) => `${k} = ${String(b[k])}`).join(', ')}` });
    const sum = sumOf(b);
    if (bad.length === 0 && sum !== total) add({ kind: 'wrong-total', op: r.invoke.index, total: sum, message: `${who} read balances ${show(b)} summing to ${sum}, not ${total}: a transfer was seen half done, or twice` });
  }
  return {
    checker: 'bank',
    valid: anomalies.length > 0 ? false : true,
    anomalies,
    facts: { consistent: anomalies.length > 0 ? false : true },
    stats: { reads: reads.length, transfers: transfers.length, okTransfers: transfers.filter((t) => t.outcome === 'ok').length, accounts: accounts.length, total, anomalyCounts: counts },
    ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
  };
}

export function bankChecker(opts: BankOptions = {}): Checker {
  return { name: 'bank', check: (h) => checkBank(h, opts) };
}
