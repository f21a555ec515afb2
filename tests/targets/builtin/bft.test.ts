// The built-in BFT store: its messages are authenticated per node pair, it keeps honest replicas in one state
// while a traitor equivocates, and with its small-quorum bug the same traitor splits them.
import { afterEach, describe, expect, it } from 'vitest';
import { pairKey, sign, traitorResigner, verify, BFT_SECRET_ENV } from '../../../targets/builtin/bft-auth.js';
import { BftClient } from '../../../targets/maelstrom/bft-client.js';
import type { SimRuntime } from '../../../harness/sim/sim-runtime.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, isAlive, nodeIds, Scope } from '../../harness/sim/helpers.js';
import { checkReplicaAgreement } from '../../../checkers/replica-agreement.js';
import { REPLICA_LOG } from '../../../histories/conventions.js';
import type { Op } from '../../../histories/op.js';

const SECRET = 'test-secret';

describe('per-pair HMAC authentication', () => {
  const body = { type: 'bft_prevote', height: 3, round: 0, id: null };

  it('accepts a body signed for its link and rejects another sender, another receiver or a changed body', () => {
    const k12 = pairKey(SECRET, 'n1', 'n2');
    expect(pairKey(SECRET, 'n2', 'n1')).toEqual(k12);
    const signed = sign(k12, 'n1', 'n2', body);
    expect(verify(k12, 'n1', 'n2', signed)).toBe(true);
    // The same body claiming n3 as sender is checked with n3's key with n2, and with n3 as sender.
    expect(verify(pairKey(SECRET, 'n3', 'n2'), 'n3', 'n2', signed)).toBe(false);
    expect(verify(k12, 'n2', 'n1', signed)).toBe(false);
    expect(verify(k12, 'n1', 'n2', { ...signed, round: 1 })).toBe(false);
    expect(verify(k12, 'n1', 'n2', body)).toBe(false);
    expect(verify(pairKey('other', 'n1', 'n2'), 'n1', 'n2', signed)).toBe(false);
  });

  it("a traitor re-signs what it changed with its own key, which passes only on the traitor's own links", () => {
    const changed = traitorResigner(SECRET)({ ...body, round: 9 }, 'n1', 'n2');
    expect(verify(pairKey(SECRET, 'n1', 'n2'), 'n1', 'n2', changed)).toBe(true);
    expect(verify(pairKey(SECRET, 'n4', 'n2'), 'n4', 'n2', changed)).toBe(false);
  });
});

describe('the bft configuration on the sim runtime', () => {
  const scope = new Scope();
  afterEach(async () => {
    const pids = await scope.cleanup();
    expect(pids.filter(isAlive)).toEqual([]);
  });

  function cluster(bug?: string): SimRuntime {
    return scope.builtin('bft', 4, bug, { nodes: nodeIds(4), env: { [BFT_SECRET_ENV]: SECRET }, resign: traitorResigner(SECRET) });
  }

  async function states(rt: SimRuntime, nodes: string[], keys: number): Promise<string[]> {
    return Promise.all(
      nodes.map(async (n) => {
        const vals = [];
        for (let k = 0; k < keys; k++) vals.push((await rt.request(n, { type: 'faultline_local_read', key: k }, 2000)).value);
        return JSON.stringify(vals);
      }),
    );
  }

  /** What each node says it committed per height, as the replica-log events the harness records. */
  async function committed(rt: SimRuntime, nodes: string[]): Promise<Op[]> {
    return Promise.all(
      nodes.map(async (node, index) => {
        const r = await rt.request(node, { type: 'faultline_committed' }, 2000);
        expect(r.type).toBe('faultline_committed_ok');
        return { index, type: 'info' as const, process: 'nemesis', f: REPLICA_LOG, value: { node, from: r.from, ids: r.ids } };
      }),
    );
  }

  /** Write keys 0..keys-1 in turn with a BFT client, then give honest replicas a moment to apply the last. */
  async function writes(rt: SimRuntime, keys: number): Promise<number> {
    const client = new BftClient(rt, rt.nodes, rt.newClientId());
    let ok = 0;
    for (let i = 0; i < keys; i++) if ((await client.invoke({ f: 'write', key: i, value: 100 + i }, 3000)).type === 'ok') ok++;
    return ok;
  }

  it('honest replicas end in one state while a traitor equivocates on every message; forged messages are refused', async () => {
    const rt = cluster();
    await rt.start();
    await rt.byzantine({ kind: 'equivocate', traitors: ['n1'], rate: 1, stream: 'a' });
    expect(await writes(rt, 6)).toBeGreaterThan(0);
    await rt.byzantine({ kind: 'forge', traitors: ['n1'], rate: 1, stream: 'b' });
    expect(await writes(rt, 3)).toBe(3);
    await rt.byzantine(null);
    const client = new BftClient(rt, rt.nodes, rt.newClientId());
    expect(await client.invoke({ f: 'write', key: 0, value: 'last' }, 3000)).toEqual({ type: 'ok' });
    let s: string[] = [];
    for (let i = 0; i < 30; i++) {
      s = await states(rt, ['n2', 'n3', 'n4'], 6);
      if (new Set(s).size === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(new Set(s).size).toBe(1);
    expect(JSON.parse(s[0])[0]).toBe('last');
    const logs = checkReplicaAgreement(await committed(rt, ['n2', 'n3', 'n4']));
    expect(logs.valid).toBe(true);
    expect(logs.stats.heightsCompared).toBeGreaterThan(0);
    const refused = await Promise.all(['n2', 'n3', 'n4'].map(async (n) => (await rt.request(n, { type: 'faultline_status' }, 2000)).rejectedMac as number));
    expect(refused.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('with quorums of 2f the same traitor splits the honest replicas', async () => {
    const rt = cluster('small-quorum');
    await rt.start();
    await rt.byzantine({ kind: 'equivocate', traitors: ['n1'], rate: 1, stream: 'a' });
    let split = false;
    for (let round = 0; round < 5 && !split; round++) {
      await writes(rt, 6);
      await new Promise((r) => setTimeout(r, 300));
      split = new Set(await states(rt, ['n2', 'n3', 'n4'], 6)).size > 1;
    }
    expect(split).toBe(true);
    // The split shows in the logs as well: two honest replicas committed different batches at one height.
    const logs = checkReplicaAgreement(await committed(rt, ['n2', 'n3', 'n4']));
    expect(logs.valid).toBe(false);
    expect(logs.anomalies[0].kind).toBe('replicas-diverged');
  });

  it('a killed node comes back as the same replica: its decided heights replayed from disk, no vote cast twice, logs agreeing', async () => {
    const dataDir = scope.tempDir();
    const rt = scope.builtin('bft', 4, undefined, { nodes: nodeIds(4), dataDir, env: { [BFT_SECRET_ENV]: SECRET }, resign: traitorResigner(SECRET) });
    await rt.start();
    expect(await writes(rt, 6)).toBe(6);
    const before = (await rt.request('n2', { type: 'faultline_committed' }, 2000)).ids as string[];
    expect(before.length).toBeGreaterThan(0);
    await rt.kill('n2');
    // Three of four still decide; then n2 returns and must hold every height it had, before hearing from anyone.
    expect(await writes(rt, 3)).toBe(3);
    await rt.restart('n2');
    const replayed = await eventually('n2 back', async () => ((await rt.request('n2', { type: 'faultline_committed' }, 1000)).ids as string[]));
    expect(replayed.slice(0, before.length)).toEqual(before);
    expect(await writes(rt, 3)).toBe(3);
    const logs = checkReplicaAgreement(await committed(rt, ['n1', 'n2', 'n3', 'n4']));
    expect(logs.valid).toBe(true);
    // On disk: one vote per height, round and kind, whatever the restart made the node do again.
    const votes = new Map<string, unknown>();
    for (const line of readFileSync(join(dataDir, 'n2', 'bft.jsonl'), 'utf8').split('\n').filter(Boolean)) {
      const r = JSON.parse(line) as { k: string; h: number; r: number; kind: string; id: unknown };
      if (r.k !== 'vote') continue;
      const k = `${r.h}/${r.r}/${r.kind}`;
      expect(votes.has(k), `vote ${k} cast twice`).toBe(false);
      votes.set(k, r.id);
    }
    expect(votes.size).toBeGreaterThan(0);
  });

  it('refuses a request without a request id, saying why', async () => {
    const rt = cluster();
    await rt.start();
    expect(await rt.request('n2', { type: 'read', key: 1 }, 2000)).toMatchObject({ type: 'error', code: 12, text: expect.stringContaining('"req" id') });
  });
});
