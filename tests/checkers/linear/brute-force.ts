// A deliberately naive linearizability checker for the property tests: for every subset of the uncertain ops
// (info or unanswered), try every order of the chosen ops that respects real time, stepping the model. It
// shares only the model with the real checker, not the search, pairing, splitting or memo.
import type { Op } from '../../../histories/op.js';
import type { Model, ModelOp } from '../../../checkers/models/model.js';

interface Item {
  op: ModelOp;
  call: number;
  /** Position of the ok completion; Infinity for uncertain ops. */
  ret: number;
}

function linearizable(model: Model<unknown>, start: unknown, items: Item[]): boolean {
  const used = new Array<boolean>(items.length).fill(false);
  const place = (state: unknown, left: number): boolean => {
    if (left === 0) return true;
    for (let i = 0; i < items.length; i++) {
      if (used[i]) continue;
      // i may go next only if no other unplaced op had already returned before i was invoked.
      let allowed = true;
      for (let j = 0; j < items.length; j++) {
        if (j !== i && !used[j] && items[j].ret < items[i].call) {
          allowed = false;
          break;
        }
      }
      if (!allowed) continue;
      const next = model.step(state, items[i].op);
      if (next === undefined) continue;
      used[i] = true;
      const done = place(next, left - 1);
      used[i] = false;
      if (done) return true;
    }
    return false;
  };
  return place(start, items.length);
}

/** true / false, or 'unknown' for a history without client ops (as the real checker answers). */
export function bruteForce(model: Model<unknown>, initial: unknown, history: Op[]): boolean | 'unknown' {
  const open = new Map<number, { inv: Op; at: number }>();
  const groups = new Map<string, { certain: Item[]; uncertain: Item[] }>();
  let clientEvents = 0;
  const add = (inv: Op, at: number, comp: Op | undefined, retAt: number): void => {
    if (comp?.type === 'fail') return;
    const op = model.prepare(inv, comp, initial);
    if (!op) return;
    const key = model.splitByKey ? JSON.stringify(inv.key ?? null) : '*';
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { certain: [], uncertain: [] }));
    if (comp?.type === 'ok') g.certain.push({ op, call: at, ret: retAt });
    else g.uncertain.push({ op, call: at, ret: Infinity });
  };
  history.forEach((ev, at) => {
    if (typeof ev.process !== 'number' || ev.f === 'final-read') return;
    clientEvents++;
    if (ev.type === 'invoke') {
      open.set(ev.process, { inv: ev, at });
    } else {
      const o = open.get(ev.process)!;
      open.delete(ev.process);
      add(o.inv, o.at, ev, at);
    }
  });
  for (const o of open.values()) add(o.inv, o.at, undefined, Infinity);
  if (clientEvents === 0) return 'unknown';
  for (const g of groups.values()) {
    let ok = false;
    const k = g.uncertain.length;
    for (let mask = 0; mask < 1 << k && !ok; mask++) {
      const chosen = g.uncertain.filter((_, i) => mask & (1 << i));
      ok = linearizable(model, model.init(initial), [...g.certain, ...chosen]);
    }
    if (!ok) return false;
  }
  return true;
}
