/**
 * NATS JetStream (Debian's nats-server 2.9), one server per node, clustered by routes; the workload is a KV
 * bucket whose stream is replicated to every node (R = nodes, so 1 to 5 nodes). Configs differ only in how
 * reads are served: `cp` reads go to the stream leader; `direct-get` reads use direct get, answered by
 * whichever replica the request reaches (the client's own node first), which NATS documents as possibly
 * stale. Writes and cas (update with revision) are decided by the stream leader in both. The kafka workload
 * (log.ts) publishes to a stream per key instead, read the same two ways.
 */
import type { JetStreamManager, NatsConnection } from 'nats';
import { InputError } from '../../histories/errors.js';
import { binaryVersion, nodesVersion, validateRealContext } from '../real-context.js';
import type { Key } from '../../histories/op.js';
import { makeRealRuntime } from '../../harness/real-runtime.js';
import type { KernelRuntime } from '../../harness/kernel/runtime.js';
import type { NodeId } from '../../harness/runtime.js';
import type { Client, Cluster, FinalRead, Target, TargetContext, WorkloadName } from '../../harness/target.js';
import { sleep } from '../../harness/time.js';
import { BUCKET, describeError, NatsClient, openNats, readEntry, STREAM, within, type HostPort, type ReadMode } from './client.js';
import { blockFiles, CLIENT_PORT, MONITOR_PORT, NATS_BIN, natsLauncher, ROUTE_PORT } from './launch.js';
import { ensureLogStreams, finalLog, logStream, NatsLogClient, OFFSETS_BUCKET, ReplicaMismatch, replicaStates } from './log.js';

const CONFIGS = ['cp', 'direct-get'] as const;
/** JetStream replicates a stream to at most five servers. */
const MAX_REPLICAS = 5;

export class NatsCluster implements Cluster {
  readonly runtime: KernelRuntime;
  readonly readMode: ReadMode;
  private readonly bin: string;
  private bucketReady = false;
  /** The kafka workload's log streams (one per key). */
  private readonly logKeys: number;

  constructor(
    private readonly ctx: TargetContext,
    bin: string = NATS_BIN,
  ) {
    this.runtime = makeRealRuntime(ctx, {
      launch: natsLauncher(bin, ctx.runtime === 'docker'),
      // The file fault damages the newest JetStream block file (of any stream) of a stopped node.
      dataFiles: blockFiles,
      proxyPorts: [CLIENT_PORT],
      peerPorts: [ROUTE_PORT],
      defaultImage: 'faultline/nats:local',
      // On ssh, a host may run its own nats-server (its `bin.nats-server`).
      binary: { name: 'nats-server', path: bin },
    });
    this.bin = bin;
    this.readMode = ctx.config === 'direct-get' ? 'direct' : 'leader';
    this.logKeys = ctx.workload === 'kafka' ? (ctx.keys ?? 10) : 0;
  }

  /** The streams the workload uses: the KV bucket's, and for kafka one per log key. */
  private streams(): string[] {
    return [STREAM, ...Array.from({ length: this.logKeys }, (_, k) => logStream(k))];
  }

  address(node: NodeId): HostPort {
    const a = this.runtime.nodeAddress(node, CLIENT_PORT);
    return { host: a.host, port: a.port ?? CLIENT_PORT };
  }

  private async withNode<T>(node: NodeId, timeoutMs: number, fn: (nc: NatsConnection, jsm: JetStreamManager) => Promise<T>): Promise<T> {
    const nc = await within(openNats(this.address(node), timeoutMs, `faultline-probe-${node}`), timeoutMs);
    try {
      const jsm = await nc.jetstreamManager({ timeout: timeoutMs, checkAPI: false });
      return await within(fn(nc, jsm), timeoutMs);
    } finally {
      await nc.close().catch(() => undefined);
    }
  }

  /** Why the cluster is not healthy yet, or null: the bucket exists, has a leader, and every replica is current. */
  private async problem(): Promise<string | null> {
    return this.withNode(this.ctx.nodes[0], 3000, async (nc, jsm) => {
      if (!this.bucketReady) {
        // Creating the bucket needs a JetStream meta leader, so this also waits for the cluster to form.
        await nc.jetstream().views.kv(BUCKET, { replicas: this.ctx.nodes.length, history: 1, allow_direct: true, timeout: 3000 });
        if (this.logKeys > 0) await ensureLogStreams(nc, jsm, this.logKeys, this.ctx.nodes.length);
        this.bucketReady = true;
      }
      const streams = this.logKeys > 0 ? [...this.streams(), `KV_${OFFSETS_BUCKET}`] : this.streams();
      for (const name of streams) {
        const c = (await jsm.streams.info(name)).cluster;
        if (!c?.leader) return `stream ${name} has no leader yet`;
        const followers = c.replicas ?? [];
        const behind = followers.filter((r) => !r.current || r.offline);
        if (followers.length + 1 < this.ctx.nodes.length) return `${name}: ${followers.length + 1} of ${this.ctx.nodes.length} replicas known`;
        if (behind.length > 0) return `${name}: replicas not current: ${behind.map((r) => r.name).join(', ')}`;
      }
      return null;
    });
  }

  async awaitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    for (let attempt = 0; attempt < 10_000 && Date.now() < deadline; attempt++) {
      try {
        const p = await this.problem();
        if (p === null) {
          // Every node answers a direct get of its own (a replica of the bucket on each).
          const answers = await Promise.all(this.ctx.nodes.map((n) => this.withNode(n, 2000, (_nc, jsm) => readEntry(jsm, 'health', 'direct')).then(() => null, (err) => `${n}: ${describeError(err)}`)));
          const bad = answers.filter((a) => a !== null);
          if (bad.length === 0) return;
          last = bad.join('; ');
        } else last = p;
      } catch (err) {
        last = describeError(err);
      }
      await sleep(Math.min(250, Math.max(0, deadline - Date.now())));
    }
    throw new Error(`nats cluster was not healthy after ${timeoutMs} ms: ${last}`);
  }

  async openClient(node: NodeId, process: number): Promise<Client> {
    if (!this.ctx.nodes.includes(node)) throw new InputError(`unknown node "${node}"`);
    const nc = await openNats(this.address(node), 5000, `faultline-${process}`);
    // No API check on open: while a stream leader is being elected it would time out, and a client must still
    // open then (its ops fail or time out meanwhile, as they should).
    const js = nc.jetstream({ timeout: 5000, checkAPI: false });
    if (this.logKeys > 0) {
      const offsets = await js.views.kv(OFFSETS_BUCKET, { bindOnly: true });
      return new NatsLogClient(nc, js, await nc.jetstreamManager({ checkAPI: false }), offsets, this.readMode, this.logKeys);
    }
    const kv = await js.views.kv(BUCKET, { bindOnly: true });
    return new NatsClient(nc, await nc.jetstreamManager({ checkAPI: false }), kv, this.readMode);
  }

  /**
   * The node's own replica: direct get on a connection to that node, which its local replica answers when it
   * serves direct gets. For logs the answer is checked against the node's own store (log.ts: finalLog).
   */
  async finalRead(node: NodeId, key: Key, timeoutMs: number): Promise<FinalRead> {
    try {
      if (this.logKeys > 0) {
        // The monitoring port is not behind a latency proxy: the harness reaches the node itself.
        const m = this.runtime.nodeAddress(node, MONITOR_PORT);
        const own = () => replicaStates(`http://${m.host}:${m.port ?? MONITOR_PORT}`, timeoutMs);
        return { ok: true, value: await this.withNode(node, timeoutMs, (_nc, jsm) => finalLog(jsm, key, own, node)) };
      }
      return { ok: true, value: (await this.withNode(node, timeoutMs, (_nc, jsm) => readEntry(jsm, key, 'direct'))).value };
    } catch (err) {
      // The node's own store still says how far its replica goes: the log-replicas checker judges that.
      const replica = err instanceof ReplicaMismatch ? err.extent() : undefined;
      return { ok: false, value: null, error: describeError(err), ...(replica ? { replica } : {}) };
    }
  }

  async versions(): Promise<Record<string, string>> {
    return { 'nats-server': await nodesVersion(this.runtime, this.ctx.nodes, this.bin, NATS_VERSION) };
  }
}

const NATS_VERSION = /v(\d+\.\d+\.\d+\S*)/;

export function natsVersion(bin: string = NATS_BIN): Promise<string> {
  return binaryVersion(bin, NATS_VERSION);
}

const workloads: readonly [WorkloadName, ...WorkloadName[]] = ['register', 'kafka'];

export const natsTarget: Target = {
  name: 'nats',
  configs: CONFIGS,
  defaultConfig: 'cp',
  promises: { cp: 'CP', 'direct-get': 'AP' },
  bugs: [],
  workloads,
  runtimes: ['netns', 'docker', 'ssh'],
  defaultRuntime: 'netns',
  // Latency delays route traffic (the cluster port) through the link proxies.
  faultLimits: { clock: 'nats-server is a static Go binary, which ignores libfaketime' },
  async create(ctx: TargetContext): Promise<Cluster> {
    if (!workloads.includes(ctx.workload)) throw new InputError(`nats target: workload ${ctx.workload} is not supported (workloads: register, with read, write and cas on a KV bucket; kafka, a stream per log key)`);
    validateRealContext('nats', CONFIGS, ctx, workloads);
    if (ctx.nodes.length > MAX_REPLICAS) throw new InputError(`nats target: a JetStream stream has at most ${MAX_REPLICAS} replicas, so at most ${MAX_REPLICAS} nodes (got ${ctx.nodes.length})`);
    return new NatsCluster(ctx);
  },
};
