/**
 * The checkers `faultline check --checker NAME` runs besides linearizability: their names, their flags, how
 * one is picked from a history's ops when none is named, and their terminal rendering.
 */
import { InputError } from '../../../histories/errors.js';
import type { Op } from '../../../histories/op.js';
import type { Checker } from '../../../checkers/checker.js';
import type { CheckResult } from '../../../checkers/result.js';
import { parseConsistencyModels } from '../../../checkers/txn/models.js';

import { CHECKER_NAMES } from './checker-names.js';

export { CHECKER_NAMES };

export interface OtherFlags {
  consistencyModels?: string;
  sequentialKeys?: boolean;
  linearizableKeys?: boolean;
  accounts?: string;
  total?: string;
  negativeBalances?: boolean;
  groupSize?: string;
}

export interface OtherOptions {
  consistencyModels?: string[];
  sequentialKeys?: boolean;
  linearizableKeys?: boolean;
  accounts?: string[];
  total?: number;
  negativeBalances?: boolean;
  groupSize?: number;
}

export function parseOtherFlags(f: OtherFlags): OtherOptions {
  const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter((x) => x !== '');
  const out: OtherOptions = {};
  if (f.consistencyModels !== undefined) out.consistencyModels = parseConsistencyModels(f.consistencyModels);
  if (f.sequentialKeys) out.sequentialKeys = true;
  if (f.linearizableKeys) out.linearizableKeys = true;
  if (f.accounts !== undefined) out.accounts = list(f.accounts);
  if (f.total !== undefined) {
    const n = Number(f.total);
    if (!Number.isFinite(n)) throw new InputError(`--total must be a number, got ${f.total}`);
    out.total = n;
  }
  if (f.negativeBalances) out.negativeBalances = true;
  if (f.groupSize !== undefined) {
    const n = Number(f.groupSize);
    if (!Number.isInteger(n) || n < 1) throw new InputError(`--group-size must be a positive integer, got ${f.groupSize}`);
    out.groupSize = n;
  }
  return out;
}

const isMops = (v: unknown): v is unknown[][] => Array.isArray(v) && v.length > 0 && v.every((m) => Array.isArray(m) && m.length === 3);

/**
 * The checker a history's ops call for, or undefined for the linearizability path (which reads its model off
 * the ops itself): txn ops with Elle's micro-ops (`append` makes list-append; `r`/`w` alone rw-register),
 * `transfer` ops a bank.
 */
export function pickChecker(ops: readonly Op[]): string | undefined {
  const p = new CheckerPicker();
  for (const op of ops) if (p.push(op)) break;
  return p.result();
}

/** pickChecker fed one op at a time (a history streamed past once). */
export class CheckerPicker {
  private txn: 'list-append' | 'rw-register' | undefined;
  private decided: string | undefined;

  /** True once the answer can no longer change. */
  push(op: Op): boolean {
    if (this.decided !== undefined) return true;
    if (typeof op.process !== 'number') return false;
    if (op.f === 'transfer') this.decided = 'bank';
    else if (op.f === 'txn' && isMops(op.value)) {
      const fs = op.value.map((m) => m[0]);
      if (fs.includes('append')) this.decided = 'list-append';
      else if (fs.every((f) => f === 'r' || f === 'w')) this.txn = 'rw-register';
    }
    return this.decided !== undefined;
  }

  result(): string | undefined {
    return this.decided ?? this.txn;
  }
}

/** The checker by its name. Each is loaded only when named: a linearizability check needs none of them. */
export async function otherChecker(name: string, o: OtherOptions): Promise<Checker> {
  switch (name) {
    case 'list-append':
    case 'rw-register': {
      if (name === 'list-append' && (o.sequentialKeys || o.linearizableKeys)) {
        throw new InputError('--sequential-keys and --linearizable-keys apply to rw-register only: list-append reads reveal the whole version order');
      }
      const { txnChecker } = await import('../../../checkers/txn/index.js');
      return txnChecker(name, { consistencyModels: o.consistencyModels, sequentialKeys: o.sequentialKeys, linearizableKeys: o.linearizableKeys });
    }
    case 'set': {
      const { checkSet, setStream } = await import('../../../checkers/set.js');
      return { name, check: (h) => checkSet(h), stream: () => setStream() };
    }
    case 'set-full': {
      const { checkSet, setStream } = await import('../../../checkers/set.js');
      return { name, check: (h) => checkSet(h, { linearizable: true }), stream: () => setStream({ linearizable: true }) };
    }
    case 'counter': {
      const { checkCounter } = await import('../../../checkers/counter.js');
      return { name, check: (h) => checkCounter(h) };
    }
    case 'bank':
      return (await import('../../../checkers/bank.js')).bankChecker({ accounts: o.accounts, total: o.total, negativeBalances: o.negativeBalances });
    case 'long-fork':
      return (await import('../../../checkers/long-fork.js')).longForkChecker({ groupSize: o.groupSize });
    case 'convergence': {
      const { checkConvergence } = await import('../../../checkers/convergence.js');
      return { name, check: (h) => checkConvergence(h), clientReadValues: false };
    }
    case 'unique-ids':
      return (await import('../../../checkers/unique-ids.js')).uniqueIdsChecker;
    default:
      throw new InputError(`unknown checker "${name}"; checkers: ${CHECKER_NAMES.join(', ')}`);
  }
}

/** Control characters from a target's values must not reach the terminal as such. */
// eslint-disable-next-line no-control-regex
const safe = (s: string): string => s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

export function renderOtherResult(r: CheckResult, maxAnomalies = 5): string {
  const out: string[] = [];
  if (r.valid === 'unknown' && r.reason) out.push(`  could not decide: ${safe(r.reason)}`);
  const txn = r as CheckResult & { not?: string[]; alsoNot?: string[]; anomalyTypes?: string[] };
  if (txn.anomalyTypes && txn.anomalyTypes.length > 0) out.push(`  anomalies: ${txn.anomalyTypes.join(', ')}`);
  if (txn.not && txn.not.length > 0) out.push(`  not ${txn.not.join(', ')}${txn.alsoNot && txn.alsoNot.length > 0 ? `; also not ${txn.alsoNot.join(', ')}` : ''}`);
  for (const a of r.anomalies.slice(0, maxAnomalies)) out.push(`  - ${safe(a.message)}`);
  if (r.anomalies.length > maxAnomalies) out.push(`  … and ${r.anomalies.length - maxAnomalies} more (see --json)`);
  return out.join('\n');
}
