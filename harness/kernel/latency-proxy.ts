/**
 * A userspace TCP proxy that adds delay, for kernels without netem. It listens on loopback and forwards to one
 * node address; every chunk, in each direction, is held for latency + a uniform jitter, and chunks keep their
 * order (a later chunk is never released before an earlier one), as on a single TCP path.
 *
 * Used for client->node links (the harness's clients connect to the proxy instead of the node) and, inside
 * each node's namespace, for node->node links (see link-latency.ts).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface Delay {
  latencyMs: number;
  jitterMs: number;
}

export class LatencyProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private delay: Delay = { latencyMs: 0, jitterMs: 0 };
  private listenPort = 0;

  constructor(
    readonly targetHost: string,
    readonly targetPort: number,
    private readonly random: () => number = Math.random,
  ) {}

  get port(): number {
    return this.listenPort;
  }

  setDelay(delay: Delay | null): void {
    this.delay = delay ?? { latencyMs: 0, jitterMs: 0 };
  }

  /** Listen on loopback; port 0 picks a free one. Resolves with the port. */
  async listen(port = 0): Promise<number> {
    const server = createServer((client) => this.pipe(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    this.listenPort = typeof addr === 'object' && addr ? addr.port : 0;
    return this.listenPort;
  }

  private pipe(client: Socket): void {
    const upstream = connect(this.targetPort, this.targetHost);
    this.sockets.add(client);
    this.sockets.add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    this.forward(client, upstream);
    this.forward(upstream, client);
    // An error on either side ends both at once; an orderly close is passed on by forward() once the
    // delayed bytes before it have been delivered.
    const abort = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', abort);
    upstream.on('error', abort);
    client.on('close', () => this.sockets.delete(client));
    upstream.on('close', () => this.sockets.delete(upstream));
  }

  private forward(from: Socket, to: Socket): void {
    // A FIFO per direction drained by one timer: chunks leave in arrival order, each no earlier than its
    // own release time. (One timer per chunk would not do: timers of different lengths that come due in
    // the same millisecond may fire in either order.)
    const queue: { release: number; chunk: Buffer }[] = [];
    let timer: NodeJS.Timeout | null = null;
    let ended = false;
    const drain = () => {
      timer = null;
      const now = Date.now();
      while (queue.length > 0 && queue[0].release <= now) {
        const { chunk } = queue.shift()!;
        if (!to.destroyed) to.write(chunk);
      }
      if (queue.length > 0) timer = setTimeout(drain, queue[0].release - now);
      else if (ended && !to.destroyed) to.end();
    };
    from.on('data', (chunk: Buffer) => {
      const { latencyMs, jitterMs } = this.delay;
      if (latencyMs <= 0 && jitterMs <= 0 && queue.length === 0) {
        to.write(chunk);
        return;
      }
      queue.push({ release: Date.now() + latencyMs + this.random() * jitterMs, chunk });
      if (timer === null) timer = setTimeout(drain, Math.max(0, queue[0].release - Date.now()));
    });
    // 'close' without 'end' (a reset) still has to end the other side, after the queued bytes.
    const onEnd = () => {
      if (ended) return;
      ended = true;
      if (queue.length === 0 && timer === null && !to.destroyed) to.end();
    };
    from.on('end', onEnd);
    from.on('close', onEnd);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
