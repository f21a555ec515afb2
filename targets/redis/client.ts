/**
 * Redis clients. The workload client asks the Sentinels for the current primary (ioredis follows a failover);
 * the direct client talks to one node's redis, for final reads and health checks.
 *
 * Outcomes: a reply error from redis (READONLY, a failed script, ...) means the command was refused, so
 * `fail`. A command that was sent and got no answer is `info`. In the `wait` config, a write whose WAIT is not
 * confirmed by enough replicas is `info`: it happened on the primary but may be lost in a failover.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Key } from '../../histories/op.js';
import type { Client, ClientOp, ClientResult, WorkloadName } from '../../harness/target.js';
import { MASTER_NAME } from './launch.js';

export interface HostPort {
  host: string;
  port: number;
}

// Compare-and-set in one script, so no other command runs between the read and the write. An empty
// expected value means "the key is absent" (JSON never encodes to an empty string).
const CAS_SCRIPT = `
local v = redis.call('GET', KEYS[1])
if ARGV[1] == '' then
  if v then return 0 end
elseif v ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2])
return 1`;

export type WriteMode = { kind: 'async' } | { kind: 'wait'; replicas: number };

export function openSentinelClient(sentinels: HostPort[], natMap: Record<string, HostPort>): Redis {
  const opts: RedisOptions = {
    sentinels,
    name: MASTER_NAME,
    role: 'master',
    natMap,
    // Keep to the sentinels we were given: the ones Sentinel reports are raw node addresses, which would
    // bypass the runtime's client-link proxies.
    updateSentinels: false,
    failoverDetector: true,
    connectTimeout: 2000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => 200,
    sentinelRetryStrategy: () => 200,
    // A demoted primary answers READONLY: reconnect (through Sentinel) without resending the command.
    reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 1 : false),
    lazyConnect: true,
  };
  const r = new Redis(opts);
  r.on('error', () => {}); // reported per command; connection noise is expected under faults
  return r;
}

export function openDirectClient(addr: HostPort, connectTimeoutMs = 2000): Redis {
  const r = new Redis({
    host: addr.host,
    port: addr.port,
    connectTimeout: connectTimeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    lazyConnect: true,
  });
  r.on('error', () => {});
  return r;
}

/** Resolve within `ms`, or reject with a timeout (the command may still run later). */
export function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function isReplyError(err: unknown): boolean {
  return err instanceof Error && err.name === 'ReplyError';
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Errors that certainly mean the command never reached redis. */
const NEVER_SENT = ["Stream isn't writeable", 'enableOfflineQueue', 'ECONNREFUSED', 'All sentinels are unreachable'];

export function errorOutcome(err: unknown, isRead: boolean): ClientResult {
  const m = message(err);
  if (isRead || isReplyError(err) || NEVER_SENT.some((s) => m.includes(s))) return { type: 'fail', error: m };
  return { type: 'info', error: m };
}

export class RedisClient implements Client {
  constructor(
    private readonly redis: Redis,
    private readonly workload: WorkloadName,
    private readonly writeMode: WriteMode,
  ) {}

  async invoke(op: ClientOp, timeoutMs: number): Promise<ClientResult> {
    const deadline = Date.now() + timeoutMs;
    // Between a failover and the reconnect there is no primary to send to. Waiting for one (within the op's
    // time) instead of failing at once keeps clients from spinning through failed ops at full speed.
    if (!(await waitReady(this.redis, timeoutMs))) return { type: 'fail', error: 'no connection to a primary' };
    try {
      return await within(this.perform(op, deadline), Math.max(1, deadline - Date.now()));
    } catch (err) {
      return errorOutcome(err, op.f === 'read');
    }
  }

  private async perform(op: ClientOp, deadline: number): Promise<ClientResult> {
    const key = String(op.key ?? 'r');
    if (this.workload === 'set') {
      if (op.f === 'add') {
        await this.redis.sadd(key, JSON.stringify(op.value));
        return this.confirm(deadline);
      }
      if (op.f === 'read') return { type: 'ok', value: (await this.redis.smembers(key)).map((m) => JSON.parse(m) as unknown) };
    } else {
      switch (op.f) {
        case 'read': {
          const v = await this.redis.get(key);
          return { type: 'ok', value: v === null ? null : (JSON.parse(v) as unknown) };
        }
        case 'write':
          await this.redis.set(key, JSON.stringify(op.value));
          return this.confirm(deadline);
        case 'cas': {
          if (!Array.isArray(op.value) || op.value.length !== 2) {
            return { type: 'fail', error: `cas needs [expected, new], got ${JSON.stringify(op.value)}` };
          }
          const [from, to] = op.value as [unknown, unknown];
          const done = await this.redis.eval(CAS_SCRIPT, 1, key, from === null ? '' : JSON.stringify(from), JSON.stringify(to));
          if (done !== 1) return { type: 'fail', error: 'compare failed' };
          return this.confirm(deadline);
        }
      }
    }
    return { type: 'fail', error: `the redis ${this.workload} client has no operation "${op.f}"` };
  }

  /** In the `wait` config, a write counts only once enough replicas acknowledge it. */
  private async confirm(deadline: number): Promise<ClientResult> {
    if (this.writeMode.kind === 'async' || this.writeMode.replicas === 0) return { type: 'ok' };
    const budget = Math.max(1, deadline - Date.now() - 100);
    let acked: number;
    try {
      acked = await this.redis.wait(this.writeMode.replicas, budget);
    } catch (err) {
      // The write itself was applied by the primary: whatever stops WAIT now, the outcome is unknown, never
      // `fail` (a failed write later seen by a read would be reported as a phantom).
      return { type: 'info', error: `write applied, WAIT failed: ${message(err)}` };
    }
    if (acked >= this.writeMode.replicas) return { type: 'ok' };
    return { type: 'info', error: `WAIT: ${acked} of ${this.writeMode.replicas} replicas acknowledged` };
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

/** Resolve true once the connection is ready (at once if it is), false if it is not within `ms`. */
export function waitReady(r: Redis, ms: number): Promise<boolean> {
  // ioredis stays 'ready' after it has ended its socket (e.g. on Sentinel's +switch-master) until the
  // close arrives. Commands then fail synchronously, so a client loop would spin on microtasks and starve
  // the very I/O that delivers the close: count such a connection as not ready, and wait.
  const writable = (r as unknown as { stream?: { writable?: boolean } }).stream?.writable === true;
  if (r.status === 'ready' && writable) return Promise.resolve(true);
  if (r.status === 'end') return Promise.resolve(false);
  if (r.status === 'wait') r.connect().catch(() => undefined);
  return new Promise((resolve) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      r.removeListener('ready', onReady);
      resolve(false);
    }, ms);
    r.once('ready', onReady);
  });
}

/** One node's own value for `key`, read from its redis directly. */
export async function readDirect(r: Redis, workload: WorkloadName, key: Key): Promise<unknown> {
  if (workload === 'set') return (await r.smembers(String(key))).map((m) => JSON.parse(m) as unknown);
  const v = await r.get(String(key));
  return v === null ? null : (JSON.parse(v) as unknown);
}
