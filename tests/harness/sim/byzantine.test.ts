// Byzantine faults: each kind changes what a traitor sends exactly as planned, honest nodes' messages pass
// untouched, and the sim router applies the tap to real node traffic.
import { afterEach, describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { ByzantineTap, mutateBody } from '../../../harness/sim/byzantine.js';
import type { ByzantineKind } from '../../../harness/runtime.js';
import { planFaults, faultValue } from '../../../harness/nemesis/schedule.js';
import { isAlive, Scope, eventually } from './helpers.js';

const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'];
const line = (src: string, dest: string, body: Record<string, unknown>) => JSON.stringify({ src, dest, body });
const parse = (l: string) => JSON.parse(l) as { src: string; dest: string; body: Record<string, unknown> };

function tap(kind: ByzantineKind, extra: Partial<ConstructorParameters<typeof ByzantineTap>[0]> = {}) {
  return new ByzantineTap({ kind, traitors: ['n1'], rate: 1, stream: 't', nodes, seed: 's', ...extra });
}

/** Paths (as strings) and values where two JSON values differ. */
function diff(a: unknown, b: unknown, path = ''): { path: string; a: unknown; b: unknown }[] {
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}/${k}`));
  }
  return a === b ? [] : [{ path, a, b }];
}

describe('mutateBody', () => {
  const body = { type: 'append', msg_id: 7, term: 3, leader: 'n2', ok: true, entries: [{ term: 3, op: { f: 'write', key: 1, value: 42 } }], note: null, ratio: 0.5, hexdigest: 'ab12' };

  it('changes exactly one value, keeps its type, and never touches type, msg_id or in_reply_to', () => {
    const types = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const m = mutateBody(body, seedrandom.alea(`m${i}`), nodes)!;
      const d = diff(body, m.body);
      expect(d).toHaveLength(1);
      expect(typeof d[0].b).toBe(typeof d[0].a);
      expect(d[0].path).not.toMatch(/^\/(type|msg_id|in_reply_to)$/);
      if (d[0].path === '/leader') expect(nodes).toContain(d[0].b);
      if (Number.isInteger(d[0].a)) expect(Number.isInteger(d[0].b)).toBe(true);
      types.add(typeof d[0].a);
    }
    expect([...types].sort()).toEqual(['boolean', 'number', 'string']);
    expect(body.entries[0].op.value).toBe(42); // the input is not changed in place
  });

  it('is seeded, and has nothing to change in a body of protocol fields only', () => {
    expect(mutateBody(body, seedrandom.alea('x'), nodes)).toEqual(mutateBody(body, seedrandom.alea('x'), nodes));
    expect(mutateBody({ type: 'ping', msg_id: 1, in_reply_to: 2 }, seedrandom.alea('x'), nodes)).toBeUndefined();
  });
});

describe('the Byzantine tap', () => {
  const body = { type: 'vote', msg_id: 4, term: 9, granted: true, value: 17 };

  it('corrupt: a traitor message changes in one value and is re-signed with the traitor key; honest ones pass', () => {
    const signed: string[] = [];
    const t = tap('corrupt', { resign: (b, src, dest) => (signed.push(`${src}->${dest}`), { ...b, mac: 'resigned' }) });
    expect(t.onMessage('n2', 'n3', body, line('n2', 'n3', body))).toBeUndefined();
    const out = t.onMessage('n1', 'n3', body, line('n1', 'n3', body))!;
    expect(out).toHaveLength(1);
    const m = parse(out[0]);
    expect(m.src).toBe('n1');
    expect(m.dest).toBe('n3');
    expect(m.body.mac).toBe('resigned');
    const { mac: _mac, ...rest } = m.body;
    expect(diff(body, rest)).toHaveLength(1);
    expect(signed).toEqual(['n1->n3']);
    expect(t.stats()).toMatchObject({ seen: 1, altered: 1 });
  });

  it('equivocate: the same message reaches one half of the peers as one consistent lie and the rest as sent', () => {
    const t = tap('equivocate');
    const liars = t.equivocationGroup('n1');
    expect(liars).toHaveLength(2);
    const got = new Map<string, Record<string, unknown>>();
    for (const [i, dest] of ['n2', 'n3', 'n4', 'n5'].entries()) {
      // Each copy has its own msg_id, as an RPC to each peer would.
      const b = { ...body, msg_id: 100 + i };
      const out = t.onMessage('n1', dest, b, line('n1', dest, b));
      const { msg_id: _id, ...content } = out === undefined ? b : parse(out[0]).body;
      got.set(dest, content);
    }
    const { msg_id: _id, ...truth } = body;
    const told = [...got.entries()];
    const lies = told.filter(([d]) => liars.includes(d)).map(([, b]) => b);
    const truths = told.filter(([d]) => !liars.includes(d)).map(([, b]) => b);
    for (const b of truths) expect(b).toEqual(truth);
    expect(lies[0]).not.toEqual(truth);
    expect(lies[1]).toEqual(lies[0]);
    expect(diff(truth, lies[0])).toHaveLength(1);
  });

  it('forge: the destination also gets the same body claiming another sender, not re-signed', () => {
    const t = tap('forge', { resign: () => ({ forged: 'signature' }) });
    const b = { ...body, mac: 'n1-n3-mac' };
    const out = t.onMessage('n1', 'n3', b, line('n1', 'n3', b))!;
    expect(out).toHaveLength(2);
    expect(out[0]).toBe(line('n1', 'n3', b));
    const forged = parse(out[1]);
    expect(forged.src).not.toBe('n1');
    expect(forged.src).not.toBe('n3');
    expect(nodes).toContain(forged.src);
    expect(forged.dest).toBe('n3');
    expect(forged.body).toEqual(b);
  });

  it('replay: later messages bring earlier ones on the same link again, verbatim', () => {
    const t = tap('replay');
    const sent: string[] = [];
    const delivered: string[] = [];
    for (let i = 0; i < 20; i++) {
      const b = { type: 'append', msg_id: i, index: i };
      sent.push(line('n1', 'n2', b));
      delivered.push(...t.onMessage('n1', 'n2', b, sent[i])!);
    }
    expect(delivered.length).toBeGreaterThan(20);
    // Every delivery is either the message just sent or an earlier one sent on this link.
    let k = 0;
    for (let i = 0; i < 20; i++) {
      expect(delivered[k++]).toBe(sent[i]);
      while (k < delivered.length && delivered[k] !== sent[i + 1]) {
        expect(sent.slice(0, i)).toContain(delivered[k]);
        k++;
      }
    }
    expect(t.stats().replayed).toBe(delivered.length - 20);
  });

  it('leaves replies to clients alone unless asked', () => {
    const reply = { type: 'read_ok', in_reply_to: 3, value: 5 };
    expect(tap('corrupt').onMessage('n1', 'c1', reply, line('n1', 'c1', reply))).toBeUndefined();
    const out = tap('corrupt', { clients: true }).onMessage('n1', 'c1', reply, line('n1', 'c1', reply))!;
    expect(parse(out[0]).body).toMatchObject({ type: 'read_ok', in_reply_to: 3 });
    expect(parse(out[0]).body.value).not.toBe(5);
  });
});

describe('Byzantine fault windows in the schedule', () => {
  it('one seeded set of at most f traitors lies in every window, and the history value names them', () => {
    const plan = planFaults({ seed: '5', nodes: ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7'], faults: ['corrupt', 'replay', 'equivocate', 'forge'], interval: 1, timeLimit: 40, traitors: 2 });
    expect(plan.length).toBeGreaterThan(5);
    const sets = new Set(plan.map((p) => JSON.stringify(faultValue(p.fault).traitors)));
    expect(sets.size).toBe(1);
    expect(JSON.parse([...sets][0])).toHaveLength(2);
    expect(new Set(plan.map((p) => p.fault.kind)).size).toBe(4);
    expect(() => planFaults({ seed: '5', nodes: ['n1', 'n2'], faults: ['forge'], interval: 1, timeLimit: 5, traitors: 2 })).toThrow(/no honest node/);
  });
});

describe('Byzantine faults through the sim router', () => {
  const scope = new Scope();
  afterEach(async () => {
    const pids = await scope.cleanup();
    expect(pids.filter(isAlive)).toEqual([]);
  });

  async function heard(rt: ReturnType<Scope['fixture']>, node: string) {
    return (await rt.request(node, { type: 'heard' }, 5000)).heard as { src: string; seq: number; note: unknown }[];
  }

  it('a traitor equivocates and forges on real node traffic; honest traffic and later traffic are untouched', async () => {
    const rt = scope.fixture('notes.mjs', 4);
    await rt.start();
    const peers = ['n2', 'n3', 'n4'];
    const note = { amount: 10, to: 'n3' };
    await rt.byzantine({ kind: 'equivocate', traitors: ['n1'], rate: 1, stream: 'a' });
    await rt.request('n1', { type: 'tell', peers, note }, 5000);
    await rt.request('n2', { type: 'tell', peers: ['n3'], note }, 5000);
    const got = await eventually('every note heard', async () => {
      const all = await Promise.all(peers.map((p) => heard(rt, p)));
      return all.flat().length === 4 ? all : undefined;
    });
    const fromTraitor = got.map((h) => h.find((x) => x.src === 'n1')!.note);
    const told = fromTraitor.filter((n) => JSON.stringify(n) !== JSON.stringify(note));
    expect(told.length).toBeGreaterThanOrEqual(1);
    expect(told.length).toBeLessThan(3);
    for (const n of told) expect(n).toEqual(told[0]);
    expect(got[1].find((x) => x.src === 'n2')!.note).toEqual(note);
    expect(rt.byzantineStats()).toMatchObject({ kind: 'equivocate', altered: told.length });

    await rt.byzantine({ kind: 'forge', traitors: ['n1'], rate: 1, stream: 'b' });
    await rt.request('n1', { type: 'tell', peers: ['n2'], note }, 5000);
    const n2 = await eventually('the forged note', async () => {
      const h = await heard(rt, 'n2');
      return h.some((x) => x.seq === 2 && x.src !== 'n1') ? h : undefined;
    });
    const second = n2.filter((x) => x.seq === 2);
    expect(second.map((x) => x.src).sort()[0]).toBe('n1');
    expect(second).toHaveLength(2);
    expect(second[1].note).toEqual(note);

    await rt.byzantine(null);
    await rt.request('n1', { type: 'tell', peers: ['n4'], note }, 5000);
    const n4 = await eventually('the honest note', async () => {
      const h = await heard(rt, 'n4');
      return h.some((x) => x.seq === 3) ? h : undefined;
    });
    expect(n4.filter((x) => x.seq === 3)).toEqual([{ src: 'n1', seq: 3, note }]);
  });
});
