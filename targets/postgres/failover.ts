/**
 * Harness-driven failover for the postgres target, in the manner of repmgr or Patroni without their DCS:
 * every half second the manager asks each node whether it is a standby streaming from the current primary.
 * When a majority of the cluster's nodes are standbys that have lost the primary for `failoverAfterMs`, it
 * promotes the most advanced of them (highest received WAL position), repoints the others of that majority
 * at it, and fences every other node (the old primary, and standbys left beside it, which may hold WAL the
 * new primary lacks): they are killed and restarted, and their start script rewinds them onto the new
 * timeline with pg_rewind before they stream again.
 *
 * Why not Patroni: see the README (postgres target). In short, Patroni would bring a second DCS cluster into
 * every run, with its own leader lease to partition; this manager keeps the failover rule in one small file
 * whose decisions are logged in the run's history of node logs, and makes the same choice Patroni's would
 * (the most advanced standby of a majority).
 *
 * The manager talks to the nodes from the harness, which partitions never cut off: it sees which standbys
 * lost the primary, not what the primary sees, so it never promotes without a majority of standbys agreeing.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { NodeId } from '../../harness/runtime.js';
import type { KernelRuntime } from '../../harness/kernel/runtime.js';
import { describeError, dropPg, openPg, within, type HostPort } from './client.js';
import { quorum, standbyConf } from './launch.js';

export interface NodeView {
  up: boolean;
  inRecovery: boolean;
  /** Address the node's WAL receiver streams from while `streaming`, else null. */
  streamingFrom: string | null;
  /** Received (standby) or written (primary) WAL position, in bytes. */
  lsn: bigint;
  error?: string;
}

export interface FailoverEvent {
  at: string;
  from: NodeId;
  to: NodeId;
  /** The standbys that had lost the primary, and the WAL position each had received. */
  majority: Record<NodeId, string>;
  fenced: NodeId[];
}

export interface FailoverOptions {
  nodes: readonly NodeId[];
  runtime: KernelRuntime;
  /** Where the harness reaches a node's postgres (not through the client latency proxies). */
  address(node: NodeId): HostPort;
  /** A node's address as the other nodes see it (what primary_conninfo names). */
  peerAddress(node: NodeId): string;
  /**
   * Write one file of a node's folder (`primary`, `standby.conf`, `rejoin`), where the node runs: this
   * machine's filesystem, or the node's host on the ssh runtime.
   */
  writeNodeFile(node: NodeId, name: 'primary' | 'standby.conf' | 'rejoin', content: string): Promise<void>;
  failoverAfterMs?: number;
  intervalMs?: number;
  logger?: Logger;
}

const PROBE = `SELECT pg_is_in_recovery() AS rec,
  (SELECT status FROM pg_stat_wal_receiver) AS status,
  (SELECT sender_host FROM pg_stat_wal_receiver) AS sender,
  (CASE WHEN pg_is_in_recovery() THEN COALESCE(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) ELSE pg_current_wal_lsn() END - '0/0'::pg_lsn)::text AS lsn`;

export class FailoverManager {
  primary: NodeId;
  readonly events: FailoverEvent[] = [];
  private readonly lostSince = new Map<NodeId, number>();
  private readonly conns = new Map<NodeId, pg.Client>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private ticking: Promise<void> | null = null;

  constructor(private readonly o: FailoverOptions) {
    this.primary = o.nodes[0];
  }

  start(): void {
    if (this.timer || this.stopped) return;
    const loop = () => {
      if (this.stopped) return;
      this.ticking = this.tick()
        .catch((err) => this.o.logger?.warn({ err: describeError(err) }, 'postgres failover manager tick failed'))
        .finally(() => {
          this.ticking = null;
          if (!this.stopped) {
            this.timer = setTimeout(loop, this.o.intervalMs ?? 500);
            this.timer.unref();
          }
        });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking?.catch(() => undefined);
    for (const c of this.conns.values()) dropPg(c);
    this.conns.clear();
  }

  /** One node's state, on a kept connection (reopened after any error). */
  async probe(node: NodeId, timeoutMs = 1000): Promise<NodeView> {
    try {
      let c = this.conns.get(node);
      if (!c) {
        c = openPg(this.o.address(node), timeoutMs);
        this.conns.set(node, c);
        await within(c.connect(), timeoutMs);
      }
      const r = await within(c.query<{ rec: boolean; status: string | null; sender: string | null; lsn: string }>(PROBE), timeoutMs);
      const row = r.rows[0];
      return {
        up: true,
        inRecovery: row.rec,
        streamingFrom: row.status === 'streaming' ? row.sender : null,
        lsn: BigInt(row.lsn.replace(/\..*$/, '')),
      };
    } catch (err) {
      const c = this.conns.get(node);
      if (c) dropPg(c);
      this.conns.delete(node);
      return { up: false, inRecovery: false, streamingFrom: null, lsn: 0n, error: describeError(err) };
    }
  }

  private async exec(node: NodeId, sql: string, timeoutMs: number): Promise<unknown> {
    const c = openPg(this.o.address(node), timeoutMs);
    try {
      await within(c.connect(), timeoutMs);
      const r = await within(c.query(sql), timeoutMs);
      return r.rows[0];
    } finally {
      dropPg(c);
    }
  }

  async tick(): Promise<void> {
    const now = Date.now();
    const views = new Map(await Promise.all(this.o.nodes.map(async (n) => [n, await this.probe(n)] as const)));
    if (this.stopped) return;
    const primaryAddr = this.o.peerAddress(this.primary);
    for (const n of this.o.nodes) {
      if (n === this.primary) continue;
      const v = views.get(n)!;
      // Only a standby that answers can say it lost the primary; a node that is down has no vote.
      const lost = v.up && v.inRecovery && v.streamingFrom !== primaryAddr;
      if (lost) {
        if (!this.lostSince.has(n)) this.lostSince.set(n, now);
      } else this.lostSince.delete(n);
    }
    const after = this.o.failoverAfterMs ?? 1000;
    const losers = [...this.lostSince.entries()].filter(([, t]) => now - t >= after).map(([n]) => n);
    if (losers.length >= quorum(this.o.nodes.length)) await this.failover(losers, views);
  }

  private async failover(losers: NodeId[], views: Map<NodeId, NodeView>): Promise<void> {
    // The most advanced standby of the majority: it holds every commit any of them received.
    const candidate = [...losers].sort((a, b) => {
      const d = views.get(b)!.lsn - views.get(a)!.lsn;
      return d > 0n ? 1 : d < 0n ? -1 : this.o.nodes.indexOf(a) - this.o.nodes.indexOf(b);
    })[0];
    const from = this.primary;
    try {
      const r = (await this.exec(candidate, 'SELECT pg_promote(true, 10) AS done', 12_000)) as { done: boolean } | undefined;
      if (!r?.done) throw new Error('pg_promote returned false');
    } catch (err) {
      this.o.logger?.warn({ candidate, err: describeError(err) }, 'postgres failover: promotion failed; will retry');
      return;
    }
    // pg_control names the new timeline only after the end-of-recovery checkpoint, which runs in the
    // background: pg_rewind against it before then says "same timeline, no rewind required", wrongly.
    await this.exec(candidate, 'CHECKPOINT', 30_000).catch((err) => this.o.logger?.warn({ candidate, err: describeError(err) }, 'postgres failover: checkpoint failed'));
    this.primary = candidate;
    this.lostSince.clear();
    const addr = this.o.peerAddress(candidate);
    const fenced = this.o.nodes.filter((n) => n !== candidate && !losers.includes(n));
    await Promise.all(
      this.o.nodes.map(async (n) => {
        const writes: [Parameters<FailoverOptions['writeNodeFile']>[1], string][] = [['primary', `${addr}\n`]];
        if (n !== candidate) writes.push(['standby.conf', standbyConf(n, addr)]);
        if (fenced.includes(n)) writes.push(['rejoin', `fenced at failover ${from} -> ${candidate}\n`]);
        for (const [name, content] of writes) {
          // A host that does not answer keeps its old files: the node then follows the old primary until the
          // next failover rewrites them, which its log shows; the failover itself stands.
          await this.o.writeNodeFile(n, name, content).catch((err) => this.o.logger?.warn({ node: n, file: name, err: describeError(err) }, 'postgres failover: could not write the node file'));
        }
      }),
    );
    const event: FailoverEvent = {
      at: new Date().toISOString(),
      from,
      to: candidate,
      majority: Object.fromEntries(losers.map((n) => [n, views.get(n)!.lsn.toString()])),
      fenced,
    };
    this.events.push(event);
    this.o.logger?.info(event, 'postgres failover');
    // The rest of the majority follows the new primary (primary_conninfo reloads without a restart).
    await Promise.all(
      losers
        .filter((n) => n !== candidate)
        .map((n) => this.exec(n, 'SELECT pg_reload_conf()', 2000).catch((err) => this.o.logger?.warn({ node: n, err: describeError(err) }, 'postgres failover: reload failed'))),
    );
    // Fence: a running fenced node is stopped and started again, so it rewinds before it serves anything.
    // A node already down (killed by the nemesis) rewinds when the nemesis restarts it.
    await Promise.all(
      fenced.map(async (n) => {
        if (!this.o.runtime.isRunning(n)) return;
        await this.o.runtime.kill(n);
        if (!this.stopped) await this.o.runtime.restart(n);
      }),
    );
  }
}
