/**
 * How a client in the harness reaches a node of a kernel-fault runtime (netns or docker): straight to the
 * node's address, or through a latency proxy on loopback, one per (node, client port), so that client-link
 * latency can be added where the kernel has no netem.
 */
import { UnsupportedFault, type LinkFaults, type NodeId } from '../runtime.js';
import { LatencyProxy, type Delay } from './latency-proxy.js';

export interface NodeAddress {
  host: string;
  port?: number;
}

export class ClientProxies {
  private readonly byLink = new Map<string, LatencyProxy>();

  /** One loopback proxy per node and port, each forwarding to that node's address. */
  async open(nodes: readonly NodeId[], ports: readonly number[], addressOf: (n: NodeId) => string): Promise<void> {
    for (const port of ports) {
      for (const n of nodes) {
        const proxy = new LatencyProxy(addressOf(n), port);
        await proxy.listen();
        this.byLink.set(`${n}:${port}`, proxy);
      }
    }
  }

  /** Where a client reaches `port` on `node` (at `host`): the proxy when that port is proxied. */
  address(node: NodeId, host: string, port?: number): NodeAddress {
    if (port === undefined) return { host };
    const proxy = this.byLink.get(`${node}:${port}`);
    return proxy ? { host: '127.0.0.1', port: proxy.port } : { host, port };
  }

  /** "nodeAddr:port" -> client-facing address, for clients the cluster tells node addresses to (Sentinel). */
  addressMap(nodes: readonly NodeId[], port: number, addressOf: (n: NodeId) => string): Record<string, { host: string; port: number }> {
    const out: Record<string, { host: string; port: number }> = {};
    for (const n of nodes) {
      const a = this.address(n, addressOf(n), port);
      out[`${addressOf(n)}:${port}`] = { host: a.host, port: a.port ?? port };
    }
    return out;
  }

  /** True when client links go through proxies (the runtime was given client ports). */
  get active(): boolean {
    return this.byLink.size > 0;
  }

  /** Delay every client link both ways (already-validated faults), or remove the delay with null. */
  setLatency(f: Pick<LinkFaults, 'latencyMs' | 'jitterMs'> | null, runtime: string): void {
    if (this.byLink.size === 0) throw new UnsupportedFault(`client latency needs proxyPorts in the ${runtime} runtime options`);
    const delay: Delay | null = f === null ? null : { latencyMs: f.latencyMs ?? 0, jitterMs: f.jitterMs ?? 0 };
    for (const p of this.byLink.values()) p.setDelay(delay);
  }

  async close(): Promise<void> {
    await Promise.all([...this.byLink.values()].map((p) => p.close()));
    this.byLink.clear();
  }
}
