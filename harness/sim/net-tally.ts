/**
 * Counts the messages the simulated network carries, by kind of link, as Maelstrom's net checker does: between
 * servers (node to node), between clients and servers, and between servers and Maelstrom's services. The router
 * calls `count` once per message a node or client sends; the totals go into the run's network statistics.
 */

export type LinkKind = 'server-server' | 'client-server' | 'server-client' | 'server-service' | 'service-server';

export type NetCounts = Record<LinkKind, number>;

export class NetTally {
  private readonly counts: NetCounts = {
    'server-server': 0,
    'client-server': 0,
    'server-client': 0,
    'server-service': 0,
    'service-server': 0,
  };

  count(kind: LinkKind): void {
    this.counts[kind]++;
  }

  snapshot(): NetCounts {
    return { ...this.counts };
  }
}
