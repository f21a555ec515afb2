/**
 * The `gossip` configuration: Maelstrom's broadcast workload served by periodic push gossip over the
 * neighbours the `topology` message names (all other nodes until one arrives). Every GOSSIP_MS each node sends
 * each neighbour the messages that neighbour is not yet known to hold, until it acknowledges them, so a message
 * crosses the graph one hop per period and a healed partition is repaired by the same mechanism: how fast a
 * write reaches everyone follows the graph's shape, which is what `faultline compare --topologies` measures.
 * State is in memory (a restarted node learns everything again from its neighbours).
 */
import type { AnyBody, NodeIO } from './node-io.js';
import type { Message } from '../../harness/sim/protocol.js';
import { errorReply } from './kv-state.js';

const GOSSIP_MS = 50;
/** At most this many messages per gossip, so a node far behind catches up in bounded steps. */
const MAX_PER_GOSSIP = 2000;

export class GossipNode {
  private readonly messages = new Set<number>();
  /** Per neighbour, the messages it is known to hold (it told us, or acknowledged them). */
  private readonly known = new Map<string, Set<number>>();
  private neighbours: string[] = [];

  constructor(private readonly io: NodeIO) {
    io.on('topology', (m) => this.onTopology(m));
    io.on('broadcast', (m) => {
      const v = m.body.message;
      if (typeof v !== 'number') {
        io.reply(m, errorReply(12, 'broadcast needs a numeric message'));
        return;
      }
      this.messages.add(v);
      io.reply(m, { type: 'broadcast_ok' });
    });
    io.on('read', (m) => io.reply(m, { type: 'read_ok', messages: [...this.messages] }));
    io.on('faultline_local_read', (m) => io.reply(m, { type: 'faultline_local_read_ok', value: [...this.messages], exists: true }));
    io.on('gossip', (m) => this.onGossip(m));
    io.on('gossip_ok', (m) => this.learn(m.src, m.body.messages));
    io.on('faultline_clock', (m) => io.reply(m, { type: 'faultline_clock_ok', offset_ms: Number(m.body.offset_ms) || 0 }));
  }

  start(): void {
    this.setNeighbours(this.io.nodeIds.filter((n) => n !== this.io.nodeId));
    setInterval(() => this.gossip(), GOSSIP_MS);
  }

  private onTopology(m: Message & { body: AnyBody }): void {
    const t = m.body.topology as Record<string, unknown> | undefined;
    const mine = t?.[this.io.nodeId];
    if (!Array.isArray(mine) || !mine.every((x) => typeof x === 'string')) {
      this.io.reply(m, errorReply(12, `topology names no neighbour list for ${this.io.nodeId}`));
      return;
    }
    this.setNeighbours((mine as string[]).filter((n) => n !== this.io.nodeId));
    this.io.log(`neighbours: ${this.neighbours.join(' ')}`);
    this.io.reply(m, { type: 'topology_ok' });
  }

  private setNeighbours(ns: string[]): void {
    this.neighbours = ns;
    for (const n of ns) if (!this.known.has(n)) this.known.set(n, new Set());
  }

  private learn(from: string, list: unknown): number[] {
    if (!Array.isArray(list)) return [];
    const k = this.known.get(from);
    const fresh: number[] = [];
    for (const v of list) {
      if (typeof v !== 'number') continue;
      k?.add(v);
      if (!this.messages.has(v)) {
        this.messages.add(v);
        fresh.push(v);
      }
    }
    return fresh;
  }

  private onGossip(m: Message & { body: AnyBody }): void {
    this.learn(m.src, m.body.messages);
    this.io.send(m.src, { type: 'gossip_ok', messages: m.body.messages });
  }

  private gossip(): void {
    for (const n of this.neighbours) {
      const k = this.known.get(n)!;
      const out: number[] = [];
      for (const v of this.messages) {
        if (!k.has(v)) out.push(v);
        if (out.length >= MAX_PER_GOSSIP) break;
      }
      if (out.length > 0) this.io.send(n, { type: 'gossip', messages: out });
    }
  }
}
