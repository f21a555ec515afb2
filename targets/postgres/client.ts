/**
 * PostgreSQL clients through the `pg` package. The workload client sends each op to the node the failover
 * manager currently names primary (as a client behind a Patroni-aware proxy would), or, given a read route,
 * sends plain reads there (its own node, a hot standby: reads scaled out as many deployments do); the direct
 * client reads one node's own state for final reads and health checks.
 *
 * Outcomes: an error the server raised before committing (a serialization failure, a read-only standby, a
 * failed constraint) means the statement had no effect, so `fail`. A statement that was sent and got no answer
 * (timeout, connection lost, the server shut down mid-statement) is `info`: an autocommit statement may have
 * committed locally while waiting for its standbys. Reads have no effect, so every read error is `fail`.
 */
import pg from 'pg';
import type { Key } from '../../histories/op.js';
import { withTimeout } from '../../harness/time.js';
import type { Client, ClientOp, ClientResult, WorkloadName } from '../../harness/target.js';
import { PG_USER } from './launch.js';

import { ISOLATION_LEVELS } from '../../histories/run-record.js';
export { ISOLATION_LEVELS };
export type Isolation = (typeof ISOLATION_LEVELS)[number];

export interface HostPort {
  host: string;
  port: number;
}

export const SCHEMA = [
  'CREATE TABLE IF NOT EXISTS registers (k text PRIMARY KEY, v text NOT NULL)',
  'CREATE TABLE IF NOT EXISTS sets (k text NOT NULL, v text NOT NULL)',
  'CREATE INDEX IF NOT EXISTS sets_k ON sets (k)',
  // Transactions (Elle's data models): a list per key, appended to by text concatenation as in Jepsen's
  // postgres test, and a read/write register per key.
  'CREATE TABLE IF NOT EXISTS lists (k text PRIMARY KEY, v text NOT NULL)',
  'CREATE TABLE IF NOT EXISTS txn_registers (k text PRIMARY KEY, v text NOT NULL)',
];

/** `BEGIN ISOLATION LEVEL ...` for a level name. */
export function beginStatement(isolation: Isolation): string {
  return `BEGIN ISOLATION LEVEL ${isolation.replace('-', ' ').toUpperCase()}`;
}

export function openPg(addr: HostPort, connectTimeoutMs: number, isolation: Isolation = 'read-committed'): pg.Client {
  const c = new pg.Client({
    host: addr.host,
    port: addr.port,
    user: PG_USER,
    database: 'postgres',
    connectionTimeoutMillis: connectTimeoutMs,
    // Every statement of this session runs at the asked isolation level.
    // (a space inside an option value is escaped with a backslash, as libpq's `options` expects)
    options: `-c default_transaction_isolation=${isolation.replace('-', '\\ ')}`,
    keepAlive: true,
  });
  c.on('error', () => {}); // reported per statement; connection noise is expected under faults
  return c;
}

/** Close without waiting for a server that may never answer. */
export function dropPg(c: pg.Client): void {
  const stream = (c as unknown as { connection?: { stream?: { destroy?: () => void } } }).connection?.stream;
  stream?.destroy?.();
  c.end().catch(() => undefined);
}

/** Resolve within `ms`, or reject with a timeout (the request may still take effect later). */
export function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return withTimeout(p, ms, 'the postgres request');
}

export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? `${code} ${err.message}` : err.message;
  }
  return String(err);
}

/** SQLSTATEs that end the statement before it commits anything. */
function refusedBeforeCommit(code: string): boolean {
  // 40: transaction rollback (serialization failure, deadlock); 25006: read-only transaction (a standby);
  // 23: integrity constraint; 42: syntax or access rule; 22: data exception; 53: insufficient resources;
  // 57P03: the server is starting up or shutting down and refused the connection.
  return /^(40|23|42|22|53)/.test(code) || code === '25006' || code === '57P03';
}

export function errorOutcome(err: unknown, isRead: boolean): ClientResult {
  const message = describeError(err);
  if (isRead) return { type: 'fail', error: message };
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && refusedBeforeCommit(code)) return { type: 'fail', error: message };
  return { type: 'info', error: message };
}

/** Where a workload client sends its next op: the current primary's client-facing address. */
export type Route = () => { node: string; addr: HostPort };

export class PgClient implements Client {
  /** One session per node the client has talked to: the primary, and its read node where that differs. */
  private readonly conns = new Map<string, pg.Client>();

  constructor(
    private readonly route: Route,
    private readonly workload: WorkloadName,
    private readonly isolation: Isolation,
    /** Where plain reads (`read` ops, not txns) go, when not to the primary. */
    private readonly readRoute?: Route,
  ) {}

  private async connection(to: ReturnType<Route>, timeoutMs: number): Promise<pg.Client> {
    const { node, addr } = to;
    const kept = this.conns.get(node);
    if (kept) return kept;
    // After a failover the old primary's session is of no use: keep only the primary's and the read node's.
    const keep = new Set([this.route().node, this.readRoute?.().node]);
    for (const n of [...this.conns.keys()]) if (!keep.has(n)) this.drop(n);
    const c = openPg(addr, Math.max(1, timeoutMs), this.isolation);
    try {
      await within(c.connect(), Math.max(1, timeoutMs));
    } catch (err) {
      dropPg(c);
      throw err;
    }
    this.conns.set(node, c);
    return c;
  }

  private drop(node: string): void {
    const c = this.conns.get(node);
    if (c) dropPg(c);
    this.conns.delete(node);
  }

  async invoke(op: ClientOp, timeoutMs: number): Promise<ClientResult> {
    const deadline = Date.now() + timeoutMs;
    const to = op.f === 'read' && this.readRoute ? this.readRoute() : this.route();
    let c: pg.Client;
    try {
      c = await this.connection(to, timeoutMs);
    } catch (err) {
      // Nothing was sent: whatever the op, it had no effect.
      this.drop(to.node);
      return { type: 'fail', error: `no connection to ${to.node}: ${describeError(err)}` };
    }
    try {
      const model: TxnModel = String(this.workload) === 'txn-rw-register' ? 'rw-register' : 'list-append';
      const work = op.f === 'txn' ? performTxn(c, this.isolation, op, model) : perform(c, this.workload, op);
      return await within(work, Math.max(1, deadline - Date.now()));
    } catch (err) {
      // A connection that timed out or broke may still be mid-statement: never reuse it.
      if (!(err instanceof pg.DatabaseError) || !refusedBeforeCommit(String(err.code))) this.drop(to.node);
      return errorOutcome(err, op.f === 'read');
    }
  }

  async close(): Promise<void> {
    for (const n of [...this.conns.keys()]) this.drop(n);
  }
}

async function perform(c: pg.Client, workload: WorkloadName, op: ClientOp): Promise<ClientResult> {
  const key = String(op.key ?? 'r');
  if (workload === 'set') {
    if (op.f === 'add') {
      await c.query('INSERT INTO sets (k, v) VALUES ($1, $2)', [key, JSON.stringify(op.value)]);
      return { type: 'ok' };
    }
    if (op.f === 'read') return { type: 'ok', value: await readSet(c, key) };
  } else {
    switch (op.f) {
      case 'read':
        return { type: 'ok', value: await readRegister(c, key) };
      case 'write':
        await c.query('INSERT INTO registers (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v', [key, JSON.stringify(op.value)]);
        return { type: 'ok' };
      case 'cas': {
        if (!Array.isArray(op.value) || op.value.length !== 2) {
          return { type: 'fail', error: `cas needs [expected, new], got ${JSON.stringify(op.value)}` };
        }
        const [from, to] = op.value as [unknown, unknown];
        // One statement either way, so nothing runs between the compare and the set.
        const r =
          from === null
            ? await c.query('INSERT INTO registers (k, v) VALUES ($1, $2) ON CONFLICT (k) DO NOTHING', [key, JSON.stringify(to)])
            : await c.query('UPDATE registers SET v = $3 WHERE k = $1 AND v = $2', [key, JSON.stringify(from), JSON.stringify(to)]);
        return r.rowCount === 1 ? { type: 'ok' } : { type: 'fail', error: 'compare failed' };
      }
    }
  }
  return { type: 'fail', error: `the postgres ${workload} client has no operation "${op.f}"` };
}

type Mop = [string, unknown, unknown];

/**
 * One transaction of micro-ops (`["r", k, null]`, `["append", k, v]`, `["w", k, v]`) at the session's
 * isolation level. An error before COMMIT rolls it back (`fail` for a refusal such as a serialization
 * failure); an unanswered COMMIT is `info`, as for any write.
 */
export type TxnModel = 'list-append' | 'rw-register';

async function performTxn(c: pg.Client, isolation: Isolation, op: ClientOp, model: TxnModel): Promise<ClientResult> {
  if (!Array.isArray(op.value) || op.value.some((m) => !Array.isArray(m) || m.length !== 3)) {
    return { type: 'fail', error: `txn needs a list of [f, key, value] micro-ops, got ${JSON.stringify(op.value)}` };
  }
  const mops = op.value as Mop[];
  const done: Mop[] = [];
  await c.query(beginStatement(isolation));
  try {
    for (const [f, k, v] of mops) {
      const key = String(k);
      if (f === 'r' && model === 'rw-register') {
        const r = await c.query<{ v: string }>('SELECT v FROM txn_registers WHERE k = $1', [key]);
        done.push([f, k, r.rows.length === 0 ? null : (JSON.parse(r.rows[0].v) as unknown)]);
      } else if (f === 'r') {
        const r = await c.query<{ v: string }>('SELECT v FROM lists WHERE k = $1', [key]);
        done.push([f, k, r.rows.length === 0 ? null : r.rows[0].v.split(',').map((x) => JSON.parse(x) as unknown)]);
      } else if (f === 'append') {
        await c.query("INSERT INTO lists (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = lists.v || ',' || EXCLUDED.v", [key, JSON.stringify(v)]);
        done.push([f, k, v]);
      } else if (f === 'w') {
        await c.query('INSERT INTO txn_registers (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v', [key, JSON.stringify(v)]);
        done.push([f, k, v]);
      } else {
        await c.query('ROLLBACK');
        return { type: 'fail', error: `unknown micro-op ${JSON.stringify(f)}` };
      }
    }
  } catch (err) {
    // The transaction is void: roll back (best effort; a broken connection has rolled back already).
    await c.query('ROLLBACK').catch(() => undefined);
    return { type: 'fail', error: `rolled back: ${describeError(err)}` };
  }
  await c.query('COMMIT');
  return { type: 'ok', value: done };
}

async function readRegister(c: pg.Client, key: string): Promise<unknown> {
  const r = await c.query<{ v: string }>('SELECT v FROM registers WHERE k = $1', [key]);
  return r.rows.length === 0 ? null : (JSON.parse(r.rows[0].v) as unknown);
}

async function readSet(c: pg.Client, key: string): Promise<unknown[]> {
  const r = await c.query<{ v: string }>('SELECT v FROM sets WHERE k = $1', [key]);
  return r.rows.map((row) => JSON.parse(row.v) as unknown);
}

/** One node's own value for `key` (a standby answers from what it has replayed). */
export function readDirect(c: pg.Client, workload: WorkloadName, key: Key): Promise<unknown> {
  return workload === 'set' ? readSet(c, String(key)) : readRegister(c, String(key));
}
