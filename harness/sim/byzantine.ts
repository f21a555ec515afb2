/**
 * Nodes that lie: a router tap that tampers with what traitor nodes send, for the sim runtime's Byzantine
 * faults. The node programs themselves stay honest; the lies are told on the wire in their name, which is
 * what a Byzantine node looks like to its peers.
 *
 * - corrupt: one seeded leaf value inside the body changes, keeping its type (a number stays a number, a node
 *   id another node id, a boolean flips);
 * - replay: an older message the traitor sent on the same link is delivered again, after the current one;
 * - equivocate: the traitor's peers are split in two; for the same message one half gets the truth and the
 *   other half one consistent lie (the same changed value to all of them);
 * - forge: besides the real message, the destination gets a copy claiming to come from another node.
 *
 * A traitor holds its own keys: a message it changed (corrupt, equivocate) is re-authenticated with them when
 * the target authenticates messages (`resign`). It holds no one else's, so forged and replayed messages keep
 * the authentication they had. Every choice comes from seeded streams per link (and, for equivocation, per
 * message content), so a seed fixes the lies however messages on other links interleave.
 */
import seedrandom from 'seedrandom';
import type { ByzantineKind, ByzantineSpec, NodeId } from '../runtime.js';
import type { Body } from './protocol.js';

/** Re-authenticates a body `src` sends to `dest` with the key those two share (the traitor is `src`). */
export type Resigner = (body: Record<string, unknown>, src: NodeId, dest: NodeId) => Record<string, unknown>;

export interface ByzantineStats {
  kind: ByzantineKind;
  /** Messages traitors sent while the fault was in force. */
  seen: number;
  /** Messages whose content was changed (corrupt, equivocate). */
  altered: number;
  /** Extra copies claiming another sender. */
  forged: number;
  /** Old messages delivered again. */
  replayed: number;
  /** Chosen for tampering but with nothing to change (no value outside the protocol fields). */
  untouchable: number;
}

export interface ByzantineTapOptions extends ByzantineSpec {
  nodes: readonly NodeId[];
  seed: string;
  resign?: Resigner;
}

/** Fields that carry the protocol rather than a value: changing them would only make the message unreadable. */
const PROTOCOL_FIELDS: ReadonlySet<string> = new Set(['type', 'msg_id', 'in_reply_to', 'mac']);
const REPLAY_DEPTH = 64;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

/** Every changeable leaf under the body (nulls are not: null has no other value of its type). */
function leaves(v: Json, path: Path, out: Path[]): void {
  if (v === null) return;
  if (Array.isArray(v)) v.forEach((x, i) => leaves(x, [...path, i], out));
  else if (typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) if (path.length > 0 || !PROTOCOL_FIELDS.has(k)) leaves(x, [...path, k], out);
  } else out.push(path);
}

/** A different value of the same type, drawn from `rng`. */
function changeLeaf(v: Json, rng: () => number, nodes: readonly NodeId[]): Json {
  if (typeof v === 'boolean') return !v;
  if (typeof v === 'number') {
    const step = 1 + Math.floor(rng() * 9);
    if (Number.isInteger(v)) return rng() < 0.5 && v - step >= 0 ? v - step : v + step;
    return v + step / 10;
  }
  if (typeof v === 'string') {
    const others = nodes.filter((n) => n !== v);
    if (nodes.includes(v) && others.length > 0) return others[Math.floor(rng() * others.length)];
    if (v.length === 0) return 'x';
    const i = Math.floor(rng() * v.length);
    const c = v[i];
    const pool = /[0-9]/.test(c) ? '0123456789' : /[a-f]/.test(c) ? 'abcdef' : /[a-z]/.test(c) ? 'abcdefghijklmnopqrstuvwxyz' : 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const choices = pool.replace(c, '');
    return v.slice(0, i) + choices[Math.floor(rng() * choices.length)] + v.slice(i + 1);
  }
  return v;
}

/**
 * Change one seeded leaf of `body`, keeping its type. Returns the new body (the input is not touched) and
 * where it changed, or undefined when the body holds no value outside the protocol fields.
 */
export function mutateBody(
  body: Record<string, unknown>,
  rng: () => number,
  nodes: readonly NodeId[],
): { body: Record<string, unknown>; path: Path; before: unknown; after: unknown } | undefined {
  const paths: Path[] = [];
  leaves(body as Json, [], paths);
  if (paths.length === 0) return undefined;
  const path = paths[Math.floor(rng() * paths.length)];
  const copy = structuredClone(body) as { [k: string]: Json };
  let parent: Json = copy;
  for (const step of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[step];
  const last = path[path.length - 1];
  const before = (parent as Record<string | number, Json>)[last];
  const after = changeLeaf(before, rng, nodes);
  (parent as Record<string | number, Json>)[last] = after;
  return { body: copy, path, before, after };
}

/** A 32-bit FNV-1a hash, to seed per-message streams from message content. */
function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16);
}

export class ByzantineTap {
  readonly clients: boolean;
  private readonly traitors: ReadonlySet<NodeId>;
  private readonly streams = new Map<string, seedrandom.PRNG>();
  private readonly sentBefore = new Map<string, string[]>();
  /** For equivocation: per traitor, the peers that are told the lie. */
  private readonly liedTo = new Map<NodeId, ReadonlySet<NodeId>>();
  private readonly counts: ByzantineStats;

  constructor(private readonly o: ByzantineTapOptions) {
    this.clients = o.clients === true;
    this.traitors = new Set(o.traitors);
    this.counts = { kind: o.kind, seen: 0, altered: 0, forged: 0, replayed: 0, untouchable: 0 };
    const groups = seedrandom.alea(`${o.seed}/byzantine/${o.stream}/groups`);
    for (const t of o.traitors) {
      const peers = o.nodes.filter((n) => n !== t);
      for (let i = peers.length - 1; i > 0; i--) {
        const j = Math.floor(groups() * (i + 1));
        [peers[i], peers[j]] = [peers[j], peers[i]];
      }
      this.liedTo.set(t, new Set(peers.slice(0, Math.ceil(peers.length / 2))));
    }
  }

  stats(): ByzantineStats {
    return { ...this.counts };
  }

  /** The peers a traitor tells the lie to under equivocation (the others hear the truth). */
  equivocationGroup(traitor: NodeId): NodeId[] {
    return [...(this.liedTo.get(traitor) ?? [])].sort();
  }

  onMessage(src: NodeId, dest: string, body: Body, line: string): readonly string[] | undefined {
    const toClient = !this.o.nodes.includes(dest);
    if (!this.traitors.has(src) || (toClient && !this.clients)) return undefined;
    this.counts.seen++;
    const rng = this.stream(`${src}->${dest}`);
    if (toClient) return rng() < this.o.rate ? this.altered(src, dest, body, rng) : undefined;
    switch (this.o.kind) {
      case 'corrupt':
        return rng() < this.o.rate ? this.altered(src, dest, body, rng) : undefined;
      case 'equivocate': {
        if (!this.liedTo.get(src)?.has(dest)) return undefined;
        // Seeded by the message itself (less its msg_id, which differs per peer), so every peer told the lie
        // gets the same one.
        const { msg_id: _id, ...content } = body;
        const own = seedrandom.alea(`${this.o.seed}/byzantine/${this.o.stream}/${src}/${hash(JSON.stringify(content))}`);
        return own() < this.o.rate ? this.altered(src, dest, body, own) : undefined;
      }
      case 'forge': {
        if (!(rng() < this.o.rate)) return undefined;
        const others = this.o.nodes.filter((n) => n !== src && n !== dest);
        if (others.length === 0) {
          this.counts.untouchable++;
          return undefined;
        }
        const claimed = others[Math.floor(rng() * others.length)];
        this.counts.forged++;
        return [line, JSON.stringify({ src: claimed, dest, body })];
      }
      case 'replay': {
        const key = `${src}->${dest}`;
        let past = this.sentBefore.get(key);
        if (!past) this.sentBefore.set(key, (past = []));
        const out: string[] = [line];
        const u = rng();
        const pick = Math.floor(rng() * past.length);
        if (u < this.o.rate && past.length > 0) {
          out.push(past[pick]);
          this.counts.replayed++;
        }
        past.push(line);
        if (past.length > REPLAY_DEPTH) past.shift();
        return out;
      }
    }
  }

  private altered(src: NodeId, dest: string, body: Body, rng: () => number): readonly string[] | undefined {
    const m = mutateBody(body, rng, this.o.nodes);
    if (!m) {
      this.counts.untouchable++;
      return undefined;
    }
    this.counts.altered++;
    const signed = this.o.resign && this.o.nodes.includes(dest) ? this.o.resign(m.body, src, dest) : m.body;
    return [JSON.stringify({ src, dest, body: signed })];
  }

  private stream(key: string): seedrandom.PRNG {
    let r = this.streams.get(key);
    if (!r) this.streams.set(key, (r = seedrandom.alea(`${this.o.seed}/byzantine/${this.o.stream}/${key}`)));
    return r;
  }
}
