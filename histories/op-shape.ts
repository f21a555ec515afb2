/**
 * The common case of history-op validation without a schema library: an object whose fields already have the
 * shapes opSchema() (op.ts) asks for is returned as the op opSchema() would return (same fields, same order).
 * Anything else gives undefined, and the caller asks opSchema(), which gives the precise error. Validating each
 * of a million lines through zod cost more than reading them.
 */
import type { Op } from './op.js';

/** opSchema()'s fields in its order; its parse puts them first, then the unknown fields in input order. */
const SHAPE = ['index', 'type', 'process', 'time', 'f', 'key', 'value', 'node', 'error'];
const IN_SHAPE = new Set(SHAPE);
const TYPES = new Set(['invoke', 'ok', 'fail', 'info']);

const natural = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** `raw` as an Op when it plainly is one; undefined when opSchema() must judge it. */
export function quickOp(raw: unknown): Op | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const o = raw as Record<string, unknown>;
  if (!natural(o.index) || !TYPES.has(o.type as string)) return undefined;
  const p = o.process;
  if (!(natural(p) || (typeof p === 'string' && p !== ''))) return undefined;
  if (typeof o.f !== 'string' || o.f === '') return undefined;
  const has = (k: string): boolean => Object.hasOwn(o, k);
  if (has('time') && !natural(o.time)) return undefined;
  if (has('key') && !(typeof o.key === 'string' || (typeof o.key === 'number' && Number.isFinite(o.key)))) return undefined;
  if (has('node') && typeof o.node !== 'string') return undefined;
  // Already in opSchema()'s order (what our writer emits)? Then the object itself is the answer.
  const keys = Object.keys(o);
  let s = 0;
  let inOrder = true;
  let extra = false;
  for (const k of keys) {
    if (k === '__proto__') return undefined;
    if (IN_SHAPE.has(k)) {
      if (extra) inOrder = false;
      while (s < SHAPE.length && SHAPE[s] !== k) s++;
      if (s === SHAPE.length) inOrder = false;
    } else {
      extra = true;
    }
  }
  if (inOrder) return o as Op;
  const out: Record<string, unknown> = {};
  for (const k of SHAPE) if (has(k)) out[k] = o[k];
  for (const k of keys) if (!IN_SHAPE.has(k)) out[k] = o[k];
  return out as Op;
}
