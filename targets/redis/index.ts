/**
 * Redis on the netns runtime: Debian's redis-server, n1 the first primary and the other nodes its replicas,
 * with a Sentinel on every node (quorum = majority) that fails over and later turns an old primary into a
 * replica. Replication is asynchronous, so both configs are AP: `ap` acknowledges writes at once; `wait`
 * also runs WAIT for a majority (counting the primary) after each write, and records an unconfirmed write
 * as `info`. Neither sets min-replicas-to-write: an isolated primary keeps accepting writes.
 */
import type { Redis } from 'ioredis';
import { InputError } from '../../histories/errors.js';
import { binaryVersion, nodesVersion, validateRealContext } from '../real-context.js';
import type { Key } from '../../histories/op.js';
import { makeRealRuntime } from '../../harness/real-runtime.js';
import type { KernelRuntime } from '../../harness/kernel/runtime.js';
import type { NodeId } from '../../harness/runtime.js';
import { mostNamed, type Roles } from '../../harness/faults/fault.js';
import type { Client, Cluster, FinalRead, Target, TargetContext, WorkloadName } from '../../harness/target.js';
import { openDirectClient, openSentinelClient, readDirect, RedisClient, within, type HostPort, type WriteMode } from './client.js';
import { MASTER_NAME, quorum, REDIS_BIN, REDIS_PORT, redisLauncher, SENTINEL_PORT } from './launch.js';
import { sleep } from '../../harness/time.js';

const CONFIGS = ['ap', 'wait'] as const;

function validate(ctx: TargetContext): void {
  validateRealContext('redis', CONFIGS, ctx);
}


/** Sentinel replies describe an instance as a flat [field, value, field, value, ...] list. */
function field(entry: unknown, name: string): string | undefined {
  if (!Array.isArray(entry)) return undefined;
  const i = entry.indexOf(name);
  return i >= 0 && i % 2 === 0 ? String(entry[i + 1]) : undefined;
}

export class RedisCluster implements Cluster {
  readonly runtime: KernelRuntime;
  readonly writeMode: WriteMode;

  constructor(
    private readonly ctx: TargetContext,
    private readonly bin: string = REDIS_BIN,
  ) {
    this.runtime = makeRealRuntime(ctx, { launch: redisLauncher(ctx.nodes, bin), proxyPorts: [REDIS_PORT, SENTINEL_PORT], peerPorts: [REDIS_PORT, SENTINEL_PORT], defaultImage: 'faultline/redis:local', binary: { name: 'redis', path: bin } });
    const replicas = quorum(ctx.nodes.length) - 1;
    this.writeMode = ctx.config === 'wait' ? { kind: 'wait', replicas } : { kind: 'async' };
  }

  /** Client-facing address of a node's redis or Sentinel. */
  address(node: NodeId, port: number): HostPort {
    const a = this.runtime.nodeAddress(node, port);
    return { host: a.host, port: a.port ?? port };
  }

  /** Sentinels in the order a client on `node` asks them: its own first. */
  sentinelsFor(node: NodeId): HostPort[] {
    const order = [node, ...this.ctx.nodes.filter((n) => n !== node)];
    return order.map((n) => this.address(n, SENTINEL_PORT));
  }

  /** The primary as `node`'s Sentinel sees it: the node name, or null if it names none of ours. */
  async primaryAccordingTo(node: NodeId, timeoutMs = 2000): Promise<NodeId | null> {
    const s = openDirectClient(this.address(node, SENTINEL_PORT), timeoutMs);
    try {
      const reply = (await within(s.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME), timeoutMs)) as string[] | null;
      if (!reply) return null;
      return this.ctx.nodes.find((n) => this.runtime.addressOf(n) === reply[0]) ?? null;
    } finally {
      s.disconnect();
    }
  }

  /** `master` or `slave`, from ROLE on the node's redis itself. */
  async roleOf(node: NodeId, timeoutMs = 2000): Promise<string> {
    return this.withDirect(node, timeoutMs, async (r) => String(((await r.call('ROLE')) as unknown[])[0]));
  }

  private async withDirect<T>(node: NodeId, timeoutMs: number, fn: (r: Redis) => Promise<T>): Promise<T> {
    const r = openDirectClient(this.address(node, REDIS_PORT), timeoutMs);
    try {
      await within(r.connect(), timeoutMs);
      return await within(fn(r), timeoutMs);
    } finally {
      r.disconnect();
    }
  }

  /** Why `node` is not healthy yet, or null when it is. */
  private async problemAt(node: NodeId): Promise<string | null> {
    const n = this.ctx.nodes.length;
    const pong = await this.withDirect(node, 2000, (r) => r.ping());
    if (pong !== 'PONG') return `redis answered ${pong} to PING`;
    const s = openDirectClient(this.address(node, SENTINEL_PORT));
    try {
      await within(s.connect(), 2000);
      const master = (await within(s.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME), 2000)) as string[] | null;
      if (!master) return 'Sentinel knows no primary';
      const sentinels = (await within(s.call('SENTINEL', 'sentinels', MASTER_NAME), 2000)) as unknown[];
      if (sentinels.length < n - 1) return `Sentinel sees ${sentinels.length} of ${n - 1} other sentinels`;
      const replicas = (await within(s.call('SENTINEL', 'replicas', MASTER_NAME), 2000)) as unknown[];
      const up = replicas.filter((r) => !/s_down|o_down|disconnected/.test(field(r, 'flags') ?? ''));
      if (up.length < n - 1) return `Sentinel sees ${up.length} of ${n - 1} replicas up`;
    } finally {
      s.disconnect();
    }
    return null;
  }

  async awaitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await Promise.all(
      this.ctx.nodes.map(async (node) => {
        let last = 'no answer yet';
        for (let attempt = 0; attempt < 10_000 && Date.now() < deadline; attempt++) {
          try {
            const problem = await this.problemAt(node);
            if (problem === null) return;
            last = problem;
          } catch (err) {
            last = err instanceof Error ? err.message : String(err);
          }
          await sleep(Math.min(250, Math.max(0, deadline - Date.now())));
        }
        throw new Error(`redis node ${node} was not healthy after ${timeoutMs} ms: ${last}`);
      }),
    );
  }

  async openClient(node: NodeId, _process: number): Promise<Client> {
    if (!this.ctx.nodes.includes(node)) throw new InputError(`unknown node "${node}"`);
    const r = openSentinelClient(this.sentinelsFor(node), this.runtime.addressMap(REDIS_PORT));
    // A client that cannot connect yet still works later (it keeps retrying); its ops fail meanwhile.
    await within(r.connect(), 5000).catch(() => undefined);
    return new RedisClient(r, this.ctx.workload, this.writeMode);
  }

  async finalRead(node: NodeId, key: Key, timeoutMs: number): Promise<FinalRead> {
    try {
      return { ok: true, value: await this.withDirect(node, timeoutMs, (r) => readDirect(r, this.ctx.workload, key)) };
    } catch (err) {
      return { ok: false, value: null, error: err instanceof Error ? err.message : String(err) };
    }
  }

  /** The primary is the node most Sentinels name as master (the one Sentinel-following clients write to). */
  async roles(timeoutMs: number): Promise<Roles> {
    const named = await Promise.all(this.ctx.nodes.map((n) => this.primaryAccordingTo(n, timeoutMs).catch(() => null)));
    return { primary: mostNamed(named) };
  }

  async versions(): Promise<Record<string, string>> {
    return { redis: await nodesVersion(this.runtime, this.ctx.nodes, this.bin, REDIS_VERSION) };
  }
}

const REDIS_VERSION = /v=(\S+)/;

export function redisVersion(bin: string = REDIS_BIN): Promise<string> {
  return binaryVersion(bin, REDIS_VERSION);
}

const workloads: readonly WorkloadName[] = ['register', 'set'];

export const redisTarget: Target = {
  name: 'redis',
  configs: CONFIGS,
  defaultConfig: 'ap',
  promises: { ap: 'AP', wait: 'AP' },
  bugs: [],
  roles: ['primary'],
  workloads,
  runtimes: ['netns', 'docker', 'ssh'],
  defaultRuntime: 'netns',
  // Latency delays replication and Sentinel traffic through proxies in the nodes' namespaces.
  faultLimits: { clock: 'libfaketime cannot load into a jemalloc-linked redis-server', file: 'the file fault damages only data files a target names, and redis names none yet (nats does)' },
  async create(ctx: TargetContext): Promise<Cluster> {
    validate(ctx);
    return new RedisCluster(ctx);
  },
};
