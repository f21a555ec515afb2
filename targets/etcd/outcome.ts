/**
 * What an etcd error means for the history. `fail` only when the operation certainly had no effect; any doubt
 * about a write is `info`. Reads have no effect, so every read error is `fail`.
 */
import type { ClientResult } from '../../harness/target.js';

/** etcd server errors returned before a request is proposed to raft: the request was not applied. */
const NOT_APPLIED = [
  'etcdserver: too many requests',
  'etcdserver: request is too large',
  'etcdserver: mvcc: database space exceeded',
  'etcdserver: no space',
  'etcdserver: not capable',
  'etcdserver: unhealthy cluster',
  'etcdserver: too many operations in txn request',
  'etcdserver: duplicate key given in txn request',
];

/** grpc-js fails a call this way when no connection exists, i.e. before anything was sent. */
const NEVER_SENT = ['No connection established', 'ECONNREFUSED', 'Client was closed'];

export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message.replace(/^\w+Error:\s*/, '');
  return String(err);
}

export function errorOutcome(err: unknown, isRead: boolean): ClientResult {
  const message = describeError(err);
  if (isRead) return { type: 'fail', error: message };
  if (NOT_APPLIED.some((m) => message.includes(m)) || NEVER_SENT.some((m) => message.includes(m))) {
    return { type: 'fail', error: message };
  }
  return { type: 'info', error: message };
}
