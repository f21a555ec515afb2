/**
 * The etcd client for one history process, pointed at one node only (no failover to other members: a client
 * on a partitioned node must see that node's behaviour). Register and set workloads; values are JSON.
 *
 * The etcd3 package retries and fails over by default (cockatiel policies). Both are turned off: a silent
 * retry of a write that timed out could apply it twice, and a history must record one attempt per op.
 */
import { Etcd3, type IOptions } from 'etcd3';
import type { Key } from '../../histories/op.js';
import type { Client, ClientOp, ClientResult, WorkloadName } from '../../harness/target.js';
import { describeError, errorOutcome } from './outcome.js';

type Policy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;

/** A policy that runs the call once, as is. */
const passThrough = {
  onSuccess: () => ({ dispose() {} }),
  onFailure: () => ({ dispose() {} }),
  execute: (fn: (ctx: { signal: AbortSignal }) => unknown) => Promise.resolve().then(() => fn({ signal: new AbortController().signal })),
} as unknown as Policy;

export function openEtcd(host: string, port: number, dialTimeoutMs = 5000): Etcd3 {
  return new Etcd3({
    hosts: `http://${host}:${port}`,
    dialTimeout: dialTimeoutMs,
    faultHandling: { host: () => passThrough, global: passThrough },
    grpcOptions: {
      // Reconnect quickly after a node restarts; grpc's default backoff grows to two minutes.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1000,
      'grpc.min_reconnect_backoff_ms': 100,
    },
  });
}

export const registerKey = (key: Key | undefined) => `r/${key ?? ''}`;
export const setPrefix = (key: Key | undefined) => `s/${key ?? ''}/`;

export type ReadMode = 'linearizable' | 'serializable';

export class EtcdClient implements Client {
  constructor(
    private readonly etcd: Etcd3,
    private readonly workload: WorkloadName,
    private readonly readMode: ReadMode,
  ) {}

  async invoke(op: ClientOp, timeoutMs: number): Promise<ClientResult> {
    const isRead = op.f === 'read';
    const deadline = new Date(Date.now() + timeoutMs);
    // grpc's deadline bounds the call; the race is a backstop in case the client library ever hangs.
    let timer: NodeJS.Timeout | undefined;
    const backstop = new Promise<ClientResult>((resolve) => {
      timer = setTimeout(() => resolve(isRead ? { type: 'fail', error: 'timeout' } : { type: 'info', error: 'timeout' }), timeoutMs + 1000);
    });
    try {
      return await Promise.race([this.perform(op, deadline), backstop]);
    } catch (err) {
      return errorOutcome(err, isRead);
    } finally {
      clearTimeout(timer);
    }
  }

  private async perform(op: ClientOp, deadline: Date): Promise<ClientResult> {
    const opts = { deadline };
    const serializable = this.readMode === 'serializable';
    if (this.workload === 'set') {
      const prefix = setPrefix(op.key);
      switch (op.f) {
        case 'add':
          await this.etcd.put(prefix + JSON.stringify(op.value)).value('1').options(opts);
          return { type: 'ok' };
        case 'read': {
          const keys = await this.etcd.getAll().prefix(prefix).serializable(serializable).options(opts).keys();
          return { type: 'ok', value: keys.map((k) => JSON.parse(k.slice(prefix.length)) as unknown) };
        }
      }
    } else {
      const key = registerKey(op.key);
      switch (op.f) {
        case 'read': {
          const v = await this.etcd.get(key).serializable(serializable).options(opts).string();
          return { type: 'ok', value: v === null ? null : (JSON.parse(v) as unknown) };
        }
        case 'write':
          await this.etcd.put(key).value(JSON.stringify(op.value)).options(opts);
          return { type: 'ok' };
        case 'cas': {
          if (!Array.isArray(op.value) || op.value.length !== 2) {
            return { type: 'fail', error: `cas needs [expected, new], got ${JSON.stringify(op.value)}` };
          }
          const [from, to] = op.value as [unknown, unknown];
          // Expecting null means "absent": compare the key's version with 0.
          const cmp = from === null ? this.etcd.if(key, 'Version', '==', 0) : this.etcd.if(key, 'Value', '==', JSON.stringify(from));
          const res = await cmp.then(this.etcd.put(key).value(JSON.stringify(to))).options(opts).commit();
          return res.succeeded ? { type: 'ok' } : { type: 'fail', error: 'compare failed' };
        }
      }
    }
    return { type: 'fail', error: `the etcd ${this.workload} client has no operation "${op.f}"` };
  }

  async close(): Promise<void> {
    this.etcd.close();
  }
}

/** One node's own view of a key: a serializable read, answered from that node's state alone. */
export async function readLocal(etcd: Etcd3, workload: WorkloadName, key: Key, timeoutMs: number): Promise<unknown> {
  const opts = { deadline: new Date(Date.now() + timeoutMs) };
  if (workload === 'set') {
    const prefix = setPrefix(key);
    const keys = await etcd.getAll().prefix(prefix).serializable(true).options(opts).keys();
    return keys.map((k) => JSON.parse(k.slice(prefix.length)) as unknown);
  }
  const v = await etcd.get(registerKey(key)).serializable(true).options(opts).string();
  return v === null ? null : (JSON.parse(v) as unknown);
}

export { describeError };
