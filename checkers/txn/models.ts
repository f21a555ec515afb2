/**
 * Consistency models and the anomalies each rules out, after the hierarchy Elle uses (its sources: Adya's
 * thesis, Bailis et al.'s Highly Available Transactions, Cerone et al., Daudjee and Salem). Two relations:
 * which anomaly implies which (a G0 cycle is also a G1c one, a process variant also a realtime one), and which
 * model is stronger than which. From the anomalies found come the weakest models the history violates
 * (`not`) and every stronger one (`alsoNot`).
 */
import { InputError } from '../../histories/errors.js';

/** model -> the models it implies (directly weaker ones). */
const WEAKER: Record<string, string[]> = {
  'read-uncommitted': [],
  'read-committed': ['read-uncommitted'],
  'cursor-stability': ['read-committed'],
  'monotonic-atomic-view': ['read-committed'],
  'read-atomic': ['monotonic-atomic-view'],
  'consistent-view': ['cursor-stability'],
  'repeatable-read': ['cursor-stability', 'monotonic-atomic-view'],
  'snapshot-isolation': ['consistent-view', 'read-atomic'],
  serializable: ['repeatable-read', 'snapshot-isolation'],
  'strong-session-snapshot-isolation': ['snapshot-isolation'],
  'strong-snapshot-isolation': ['strong-session-snapshot-isolation'],
  'strong-session-serializable': ['serializable', 'strong-session-snapshot-isolation'],
  'strict-serializable': ['strong-session-serializable', 'strong-snapshot-isolation'],
};

export const MODEL_NAMES = Object.keys(WEAKER);

/** model -> the anomalies it rules out beyond those its weaker models rule out. */
const PROSCRIBES: Record<string, string[]> = {
  'read-uncommitted': ['G0', 'duplicate-elements', 'garbage-read', 'cyclic-versions'],
  'read-committed': ['G1a', 'G1b', 'G1c'],
  'cursor-stability': ['lost-update'],
  'monotonic-atomic-view': [],
  'read-atomic': ['internal', 'future-read'],
  'consistent-view': ['G-single'],
  'repeatable-read': ['G2-item'],
  'snapshot-isolation': ['G-nonadjacent'],
  serializable: ['G2'],
  'strong-session-snapshot-isolation': ['G1-process', 'G-nonadjacent-process'],
  'strong-snapshot-isolation': ['G1-realtime', 'G-nonadjacent-realtime'],
  'strong-session-serializable': ['G0-process', 'G1-process', 'G2-process'],
  'strict-serializable': ['G0-realtime', 'G1-realtime', 'G2-realtime'],
};

/** anomaly -> the anomalies it implies (a history with the first has the second). */
const IMPLIES: Record<string, string[]> = {
  G0: ['G1c', 'G0-process'],
  'G0-process': ['G1c-process', 'G0-realtime'],
  'G0-realtime': ['G1c-realtime'],
  G1a: ['G1'],
  G1b: ['G1'],
  G1c: ['G1', 'G1c-process'],
  'G1c-process': ['G1-process', 'G1c-realtime'],
  'G1c-realtime': ['G1-realtime'],
  G1: ['G1-process'],
  'G1-process': ['G1-realtime'],
  'G-single': ['G-nonadjacent', 'G-single-process'],
  'G-single-process': ['G-nonadjacent-process', 'G-single-realtime'],
  'G-single-realtime': ['G-nonadjacent-realtime'],
  // Our anti-dependencies are all on items (keys), so G-nonadjacent here is G-nonadjacent-item: also G2-item.
  'G-nonadjacent': ['G2-item', 'G-nonadjacent-process'],
  'G-nonadjacent-process': ['G2-item-process', 'G-nonadjacent-realtime'],
  'G-nonadjacent-realtime': ['G2-item-realtime'],
  'G2-item': ['G2', 'G2-item-process'],
  'G2-item-process': ['G2-process', 'G2-item-realtime'],
  'G2-item-realtime': ['G2-realtime'],
  G2: ['G2-process'],
  'G2-process': ['G2-realtime'],
  'incompatible-order': ['G1a'],
  'dirty-update': ['G1a'],
  'future-read': ['G1c'],
  'lost-update': ['G2-item'],
};

function closure(start: Iterable<string>, next: (x: string) => readonly string[]): Set<string> {
  const out = new Set<string>();
  const todo = [...start];
  while (todo.length > 0) {
    const x = todo.pop()!;
    if (out.has(x)) continue;
    out.add(x);
    todo.push(...next(x));
  }
  return out;
}

const STRONGER: Record<string, string[]> = {};
for (const [m, ws] of Object.entries(WEAKER)) for (const w of ws) (STRONGER[w] ??= []).push(m);

/** Every anomaly that a history satisfying all of `models` cannot contain (with those implying them). */
export function prohibitedBy(models: readonly string[]): Set<string> {
  const implied = closure(models, (m) => WEAKER[m] ?? []);
  const direct = new Set<string>();
  for (const m of implied) for (const a of PROSCRIBES[m] ?? []) direct.add(a);
  // An anomaly is prohibited when it implies a directly prohibited one.
  const out = new Set<string>();
  for (const a of Object.keys(IMPLIES).concat([...direct])) {
    const impl = closure([a], (x) => IMPLIES[x] ?? []);
    if ([...impl].some((x) => direct.has(x))) out.add(a);
  }
  for (const a of direct) out.add(a);
  return out;
}

export interface Boundary {
  /** The weakest models the anomalies rule out. */
  not: string[];
  /** The stronger models they rule out as well. */
  alsoNot: string[];
}

export function boundary(anomalies: Iterable<string>): Boundary {
  const implied = closure(anomalies, (a) => IMPLIES[a] ?? []);
  const direct = MODEL_NAMES.filter((m) => (PROSCRIBES[m] ?? []).some((a) => implied.has(a)));
  const impossible = closure(direct, (m) => STRONGER[m] ?? []);
  const weakest = [...impossible].filter((m) => !(WEAKER[m] ?? []).some((w) => impossible.has(w)));
  const order = (xs: string[]): string[] => xs.sort((a, b) => MODEL_NAMES.indexOf(a) - MODEL_NAMES.indexOf(b));
  return { not: order(weakest), alsoNot: order([...impossible].filter((m) => !weakest.includes(m))) };
}

/** Checks model names, saying which exist when one does not. */
/** A comma-separated `--consistency-models` list, checked against the known models (InputError naming the bad ones). */
export function parseConsistencyModels(text: string): string[] {
  const models = [...new Set(text.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  const bad = unknownModels(models);
  if (bad.length > 0 || models.length === 0) {
    throw new InputError(`--consistency-models: unknown model ${bad.map((m) => `"${m}"`).join(', ') || '(none given)'}; known: ${MODEL_NAMES.join(', ')}`);
  }
  return models;
}

export function unknownModels(models: readonly string[]): string[] {
  return models.filter((m) => !(m in WEAKER));
}

/** Whether the search must look at process / realtime cycles for these models at all. */
export function variantsFor(models: readonly string[]): ('' | '-process' | '-realtime')[] {
  const p = prohibitedBy(models);
  const out: ('' | '-process' | '-realtime')[] = [''];
  if ([...p].some((a) => a.endsWith('-process'))) out.push('-process');
  if ([...p].some((a) => a.endsWith('-realtime'))) out.push('-realtime');
  return out;
}
