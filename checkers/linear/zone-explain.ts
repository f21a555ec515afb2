/**
 * The zone test's finding in words and as a counterexample: the few ops that pin two values as current at
 * once (or a read from the future, or of a value nobody wrote), shrunk by the zone test itself, which is
 * exact and cheap on a handful of ops. The anomaly has the same shape as the search's (see counterexample.ts),
 * so every report draws it the same way.
 */
import type { Op } from '../../histories/op.js';
import type { Anomaly } from '../result.js';
import type { Model } from '../models/model.js';
import { compilePartition } from './compile.js';
import { describePair, reportOp, who } from './counterexample.js';
import { keyLabel, type OpPairAt, type Partition } from './split.js';
import { mapZoneOps, zoneCheck, zoneOps, type ZoneConflict, type ZoneWindow } from './zones.js';

/** Fill `anomaly` (the search's, which may hold the prefix it found) with the zone test's explanation. */
export function explainZones(model: Model<unknown>, initial: unknown, part: Partition, conflict: ZoneConflict, anomaly: Anomaly): Anomaly {
  const view = model.readWrite!;
  const init = model.init(initial);
  // Drop ops while the rest still fails the zone test: a 1-minimal counterexample, in a few tiny checks.
  let kept = zoneOps(conflict);
  let shown = conflict;
  for (let k = 0; k < kept.length; ) {
    const fewer = kept.filter((_, j) => j !== k);
    const pairs = fewer.map((i) => part.pairs[i]);
    const v = fewer.length === 0 ? undefined : zoneCheck(compilePartition(model, initial, pairs), view, init);
    // Dropping the write of a value a kept read saw would make that read "unwritten": true of the subset only.
    if (v !== undefined && v.valid === false && (v.conflict.kind !== 'unwritten' || conflict.kind === 'unwritten')) {
      kept = fewer;
      shown = mapZoneOps(v.conflict, (i) => fewer[i]);
    } else k++;
  }
  const pairs = kept.map((i) => part.pairs[i]);
  const where = part.key === undefined ? '' : `key ${keyLabel(part.key)}: `;
  const text = zoneText(model, part.pairs, shown, view.state(init));
  const indices: number[] = [];
  for (const p of pairs) {
    indices.push(p.invoke.index);
    if (p.completion) indices.push(p.completion.index);
  }
  const placed: [number, Op][] = pairs.flatMap((p): [number, Op][] => (p.completion ? [[p.invokePos, p.invoke], [p.completePos, p.completion]] : [[p.invokePos, p.invoke]]));
  const timeline = pairs.map((p) => reportOp(model, p));
  indices.sort((a, b) => a - b);
  anomaly.counterexample = {
    indices,
    ops: placed.sort((a, b) => a[0] - b[0]).map(([, op]) => op),
    timeline,
    explanation: text,
    minimal: true,
    robust: true,
    decidedBy: 'zones',
  };
  anomaly.message = `${where}${text}`;
  anomaly.timeline = timeline;
  anomaly.indices = indices;
  return anomaly;
}

function zoneText(model: Model<unknown>, pairs: readonly OpPairAt[], c: ZoneConflict, start: string): string {
  const op = (i: number): string => {
    const p = pairs[i];
    return `${who(p)}'s ${describePair(model, p)} (op ${p.invoke.index})`;
  };
  const once = `Each value here is written once, so each is current over one stretch of time and never again`;
  const stretch = (w: ZoneWindow): string =>
    w.from < 0
      ? `${w.value} (the start value) was current from the beginning until after ${op(w.to)} began`
      : `${w.value} was current by the time ${op(w.from)} completed and still after ${op(w.to)} began, so throughout`;
  switch (c.kind) {
    case 'unwritten':
      return `${op(c.read)} saw a value that no op wrote (the ${model.name} starts at ${start}).`;
    case 'future':
      return `${op(c.read)} completed before ${op(c.write)} began: it saw a value from the future.`;
    case 'overlap':
      return `${once}. ${cap(stretch(c.a))}; ${stretch(c.b)}. The two stretches overlap, and a ${model.name} holds one value at a time.`;
    case 'inside': {
      const inner = c.inner.write >= 0 ? `${c.inner.value}, written by ${op(c.inner.write)}` : `${c.inner.value} (the start value)`;
      if (c.inner.lastInvoked === c.inner.firstCompleted) {
        return `${once}. ${cap(stretch(c.outer))}. ${cap(inner)}, ran entirely inside that stretch, so two values would be current at once.`;
      }
      return (
        `${once}. ${cap(stretch(c.outer))}. ${cap(inner)}, cannot fit around that stretch: ${op(c.inner.lastInvoked)} began after it opened ` +
        `and ${op(c.inner.firstCompleted)} ended before it closed, so ${c.inner.value} was current inside it, or both before and after it and so throughout. ` +
        `Either way two values would be current at once.`
      );
    }
  }
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
