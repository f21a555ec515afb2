/**
 * NATS JetStream KV clients through the `nats` package. A workload client is bound to one node (it never
 * learns the other servers, so every byte goes through that node's client-link proxy) and works on one KV
 * bucket whose stream is replicated to every node.
 *
 * Reads: `leader` asks the stream's leader (STREAM.MSG.GET); `direct` uses direct get, which any replica
 * answers from its own store (NATS documents it as possibly stale). Writes are KV put, and cas is
 * update-with-revision: read the key's newest entry, then write only if the key's last sequence is still
 * that entry's.
 *
 * Outcomes: a JetStream API error (wrong last sequence, stream offline) means the request was refused, so
 * `fail`; "no responders" means nobody received it, also `fail`. A request that timed out or whose
 * connection dropped is `info`. Reads have no effect, so every read error is `fail`.
 */
import { connect, type JetStreamManager, type KV, type NatsConnection, type StoredMsg } from 'nats';
import type { Key } from '../../histories/op.js';
import { withTimeout } from '../../harness/time.js';
import type { Client, ClientOp, ClientResult } from '../../harness/target.js';

export const BUCKET = 'faultline';
export const STREAM = `KV_${BUCKET}`;

export type ReadMode = 'leader' | 'direct';

export interface HostPort {
  host: string;
  port: number;
}

export async function openNats(addr: HostPort, timeoutMs: number, name: string): Promise<NatsConnection> {
  return connect({
    servers: [`${addr.host}:${addr.port}`],
    name,
    timeout: timeoutMs,
    // Never dial the addresses a server advertises: they would bypass the client-link proxies.
    ignoreClusterUpdates: true,
    noRandomize: true,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 200,
    waitOnFirstConnect: false,
    pingInterval: 2000,
    maxPingOut: 2,
  });
}

/** Resolve within `ms`, or reject with a timeout (the request may still take effect later). */
export function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return withTimeout(p, ms, 'the nats request');
}

export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const api = (err as { api_error?: { code?: number; err_code?: number; description?: string } }).api_error;
    if (api) return `${api.err_code ?? api.code ?? ''} ${api.description ?? err.message}`.trim();
    return err.message;
  }
  return String(err);
}

/** Refusals: the request reached JetStream, which answered that it did nothing. */
function refused(err: unknown): boolean {
  const e = err as { api_error?: unknown; code?: unknown; message?: unknown };
  if (e?.api_error) return true;
  const m = String(e?.message ?? '');
  return e?.code === '503' || /no responders|wrong last sequence|key exists|CONNECTION_REFUSED/i.test(m);
}

export function errorOutcome(err: unknown, isRead: boolean): ClientResult {
  const message = describeError(err);
  if (isRead || refused(err)) return { type: 'fail', error: message };
  return { type: 'info', error: message };
}

function notFound(err: unknown): boolean {
  const e = err as { api_error?: { code?: number }; code?: unknown; message?: unknown };
  return e?.api_error?.code === 404 || e?.code === '404' || /no message found/i.test(String(e?.message ?? ''));
}

/** The entry a stored KV message stands for: null for a delete or purge marker. */
function decode(m: StoredMsg): { value: unknown; revision: number } {
  const op = m.header?.get('KV-Operation');
  if (op === 'DEL' || op === 'PURGE' || m.data.length === 0) return { value: null, revision: m.seq };
  return { value: JSON.parse(new TextDecoder().decode(m.data)) as unknown, revision: m.seq };
}

export function kvSubject(key: Key): string {
  return `$KV.${BUCKET}.${String(key)}`;
}

/** nats.js has the direct-get API on its JetStreamManager but leaves it out of the exported interface. */
function directApi(jsm: JetStreamManager): { getMessage(stream: string, q: { last_by_subj: string }): Promise<StoredMsg> } {
  const d = (jsm as unknown as { direct?: { getMessage(stream: string, q: { last_by_subj: string }): Promise<StoredMsg> } }).direct;
  if (!d) throw new Error('this nats client library has no direct get');
  return d;
}

/** The newest entry for `key` (null value and revision 0 when the key was never written). */
export async function readEntry(jsm: JetStreamManager, key: Key, mode: ReadMode): Promise<{ value: unknown; revision: number }> {
  try {
    const q = { last_by_subj: kvSubject(key) };
    const m = mode === 'direct' ? await directApi(jsm).getMessage(STREAM, q) : await jsm.streams.getMessage(STREAM, q);
    return decode(m);
  } catch (err) {
    if (notFound(err)) return { value: null, revision: 0 };
    throw err;
  }
}

export class NatsClient implements Client {
  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly kv: KV,
    private readonly mode: ReadMode,
  ) {}

  async invoke(op: ClientOp, timeoutMs: number): Promise<ClientResult> {
    if (this.nc.isClosed()) return { type: 'fail', error: 'connection closed' };
    try {
      return await within(this.perform(op), timeoutMs);
    } catch (err) {
      return errorOutcome(err, op.f === 'read');
    }
  }

  private async perform(op: ClientOp): Promise<ClientResult> {
    const key = String(op.key ?? 'r');
    switch (op.f) {
      case 'read':
        return { type: 'ok', value: (await readEntry(this.jsm, key, this.mode)).value };
      case 'write':
        await this.kv.put(key, JSON.stringify(op.value));
        return { type: 'ok' };
      case 'cas': {
        if (!Array.isArray(op.value) || op.value.length !== 2) {
          return { type: 'fail', error: `cas needs [expected, new], got ${JSON.stringify(op.value)}` };
        }
        const [from, to] = op.value as [unknown, unknown];
        let entry: { value: unknown; revision: number };
        try {
          entry = await readEntry(this.jsm, key, this.mode);
        } catch (err) {
          // Nothing was written yet: the cas certainly had no effect.
          return { type: 'fail', error: `cas read: ${describeError(err)}` };
        }
        if (JSON.stringify(entry.value) !== JSON.stringify(from)) return { type: 'fail', error: 'compare failed' };
        // The server checks the revision (0: the key must not exist yet): a write since our read makes it
        // refuse with "wrong last sequence".
        await this.kv.put(key, JSON.stringify(to), { previousSeq: entry.revision });
        return { type: 'ok' };
      }
    }
    return { type: 'fail', error: `the nats client has no operation "${op.f}"` };
  }

  async close(): Promise<void> {
    await this.nc.close().catch(() => undefined);
  }
}
