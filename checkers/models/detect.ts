/**
 * For histories checked with no `--model` or `--initial`: which model the ops' names point to, and, for
 * string registers, whether the history itself shows that absent keys read as "" (as Porcupine's kv
 * histories do) rather than nil. Both answers are reported to the user with their reason; flags override.
 */
import { isClientOp, type Op } from '../../histories/op.js';

export interface Detected<T> {
  value: T;
  /** One short clause saying what in the history led to it. */
  reason: string;
}

/** The first rule whose op names appear wins; plain read/write/cas histories stay on Knossos' cas-register. */
const RULES: { model: string; fs: string[] }[] = [
  { model: 'mutex', fs: ['acquire', 'release'] },
  { model: 'fifo-queue', fs: ['enqueue', 'dequeue'] },
  { model: 'multi-register', fs: ['txn'] },
  { model: 'set', fs: ['add'] },
  { model: 'kv', fs: ['append'] },
];

/** detectModel fed one op at a time (a history streamed past once): the same answer, holding only the op names seen. */
export class ModelDetector {
  private readonly fs = new Set<string>();
  private numberRead = false;

  push(op: Op): void {
    if (!isClientOp(op)) return;
    this.fs.add(op.f);
    if (op.f === 'read' && op.type === 'ok' && typeof op.value === 'number') this.numberRead = true;
  }

  result(): Detected<string> {
    const fs = this.fs;
    // add is a set's op, unless reads return numbers: then it is a counter's.
    if (fs.has('add') && this.numberRead) return { value: 'counter', reason: 'the history has add ops and reads of numbers' };
    for (const rule of RULES) {
      const seen = rule.fs.filter((f) => fs.has(f));
      if (seen.length > 0) return { value: rule.model, reason: `the history has ${seen.join(' and ')} ops` };
    }
    return { value: 'cas-register', reason: 'read/write/cas ops (the default)' };
  }
}

export function detectModel(ops: readonly Op[]): Detected<string> {
  const d = new ModelDetector();
  for (const op of ops) d.push(op);
  return d.result();
}

const READS = new Set(['read', 'get', 'r']);

/**
 * "" as the initial value of a register or kv, when the history proves nil cannot be it: some ok read
 * returned "", no ok read returned nil, and no op ever wrote "". Otherwise undefined (the default, nil).
 */
export function inferInitial(ops: readonly Op[], model: string): Detected<unknown> | undefined {
  if (!['register', 'cas-register', 'kv'].includes(model)) return undefined;
  let emptyReads = 0;
  for (const op of ops) {
    if (!isClientOp(op)) continue;
    if (READS.has(op.f)) {
      if (op.type !== 'ok') continue;
      if (op.value === null || op.value === undefined) return undefined;
      if (op.value === '') emptyReads++;
    } else if (op.type === 'invoke') {
      const written = op.f === 'cas' && Array.isArray(op.value) ? op.value[1] : op.value;
      if (written === '') return undefined;
    }
  }
  if (emptyReads === 0) return undefined;
  return { value: '', reason: `${emptyReads} read(s) returned "" and no op wrote "", so absent keys read as ""` };
}
