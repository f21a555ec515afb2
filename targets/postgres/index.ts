/**
 * PostgreSQL 15 with streaming replication (Debian's postgresql-15, run directly as the postgres user): n1
 * starts as the primary, the other nodes as hot standbys copied with pg_basebackup, and a harness-driven
 * failover manager (failover.ts) promotes the most advanced standby of a majority when the primary is lost.
 *
 * Configs: `async` acknowledges a commit once the primary has it, so a failover after a partition discards
 * what the old primary acknowledged meanwhile (AP for writes). `sync` waits for `remote_apply` from enough
 * standbys that primary plus standbys are a majority, so a cut-off primary cannot acknowledge a commit, and
 * every majority the manager promotes from holds each acknowledged one (CP). `standby-reads` replicates as
 * `sync` does but serves each client's plain reads from its own node, a hot standby unless it is the primary,
 * as deployments that scale reads out do: `remote_apply` waits for only some standbys, and a standby cut off
 * from the primary keeps answering from what it has, so a lagging standby shows as stale reads (AP).
 */
import { InputError } from '../../histories/errors.js';
import { binaryVersion, nodesVersion, validateRealContext } from '../real-context.js';
import type { Key } from '../../histories/op.js';
import { makeRealRuntime } from '../../harness/real-runtime.js';
import type { KernelRuntime } from '../../harness/kernel/runtime.js';
import type { NodeId } from '../../harness/runtime.js';
import type { Roles } from '../../harness/faults/fault.js';
import type { Client, Cluster, FinalRead, Target, TargetContext, WorkloadName } from '../../harness/target.js';
import { sleep } from '../../harness/time.js';
import { describeError, dropPg, ISOLATION_LEVELS, openPg, PgClient, readDirect, SCHEMA, within, type HostPort, type Isolation } from './client.js';
import { FailoverManager } from './failover.js';
import { checkReachable, HOST_CHECK_SCRIPT, PG_FIND_BIN, PG_PORT, PG_POSTGRES, postgresLauncher } from './launch.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CONFIGS = ['async', 'sync', 'standby-reads'] as const;

export interface PostgresOptions {
  isolation?: Isolation;
  failoverAfterMs?: number;
}

export class PostgresCluster implements Cluster {
  readonly runtime: KernelRuntime;
  readonly manager: FailoverManager;
  readonly isolation: Isolation;
  private schemaReady = false;

  constructor(
    private readonly ctx: TargetContext,
    o: PostgresOptions = {},
  ) {
    this.isolation = o.isolation ?? 'read-committed';
    const sync = ctx.config !== 'async';
    // The launcher asks the manager (created just below) who the primary is at every (re)start, and records
    // each node's folder as the runtime names it (on ssh, a path on the node's host).
    const nodeDirs = new Map<NodeId, string>();
    const launch = postgresLauncher(
      ctx.nodes,
      { primary: () => this.manager?.primary ?? ctx.nodes[0], sync, programOf: (n) => this.programOf(n), nodeDirs },
      ctx.runtime === 'docker',
    );
    this.runtime = makeRealRuntime(ctx, {
      launch,
      proxyPorts: [PG_PORT],
      peerPorts: [PG_PORT],
      defaultImage: 'faultline/postgres:local',
      // A host's bin.postgres, when it names one; else the start finds the newest /usr/lib/postgresql/*/bin.
      binary: { name: 'postgres', path: PG_POSTGRES, required: false },
    });
    const remote = ctx.runtime === 'ssh';
    this.manager = new FailoverManager({
      nodes: ctx.nodes,
      runtime: this.runtime,
      address: (n) => this.direct(n),
      peerAddress: (n) => this.runtime.addressOf(n),
      writeNodeFile: async (n, name, content) => {
        const dir = nodeDirs.get(n) ?? join(ctx.dataDir, n);
        if (remote) await this.runtime.exec(n, ['/bin/sh', '-c', 'cat > "$1"', 'pg-write', `${dir}/${name}`], content);
        else writeFileSync(join(dir, name), content);
      },
      failoverAfterMs: o.failoverAfterMs,
      logger: ctx.logger,
    });
    if (remote) {
      // Refuse hosts the server cannot run on before the runtime changes anything on them.
      const start = this.runtime.start.bind(this.runtime);
      this.runtime.start = async () => {
        await this.checkHosts();
        await start();
      };
    }
    // The manager must stop before the nodes go, or it would fence (restart) nodes the teardown is killing.
    const teardown = this.runtime.teardown.bind(this.runtime);
    this.runtime.teardown = async () => {
      await this.manager.stop();
      await teardown();
    };
  }

  private programOf(node: NodeId): string {
    return this.runtime.programOf?.(node, PG_POSTGRES) ?? PG_POSTGRES;
  }

  /** On ssh: every host has the postgres user, a server, setpriv, and a folder that user may enter. */
  private async checkHosts(): Promise<void> {
    const hostOf = (this.runtime as Partial<{ hostOf(n: NodeId): { address: string; dir: string } }>).hostOf?.bind(this.runtime);
    if (!hostOf) return;
    const problems = await Promise.all(
      this.ctx.nodes.map(async (n) => {
        const host = hostOf(n);
        try {
          const out = await this.runtime.exec(n, ['/bin/sh', '-c', HOST_CHECK_SCRIPT, 'pg-check', this.programOf(n), host.dir]);
          return out.trim() ? out.trim().split('\n').map((l) => `${host.address} (${n}): ${l.slice(0, 300)}`) : [];
        } catch (err) {
          return [`${host.address} (${n}): ${(err as Error).message.split('\n')[0]}`];
        }
      }),
    );
    const all = problems.flat();
    if (all.length > 0) throw new InputError(`postgres cannot run on these hosts:\n  ${all.join('\n  ')}`);
  }

  /** A node's postgres as the harness reaches it without client latency (health checks, the manager). */
  direct(node: NodeId): HostPort {
    return { host: this.runtime.addressOf(node), port: PG_PORT };
  }

  /** A node's postgres as clients reach it (through the client-link latency proxy). */
  clientAddress(node: NodeId): HostPort {
    const a = this.runtime.nodeAddress(node, PG_PORT);
    return { host: a.host, port: a.port ?? PG_PORT };
  }

  private async withDirect<T>(node: NodeId, timeoutMs: number, fn: (c: import('pg').Client) => Promise<T>): Promise<T> {
    // Not the run's isolation: a hot standby refuses serializable transactions outright, and these are
    // single-statement probes and final reads of one node's own state.
    const c = openPg(this.direct(node), timeoutMs);
    try {
      await within(c.connect(), timeoutMs);
      return await within(fn(c), timeoutMs);
    } finally {
      dropPg(c);
    }
  }

  /** Why the cluster is not healthy yet, from the primary's side, or null when every standby streams. */
  private async primaryProblem(): Promise<string | null> {
    const primary = this.manager.primary;
    return this.withDirect(primary, 3000, async (c) => {
      const rec = await c.query<{ rec: boolean }>('SELECT pg_is_in_recovery() AS rec');
      if (rec.rows[0].rec) return `${primary} is still in recovery`;
      const standbys = await c.query<{ name: string }>("SELECT application_name AS name FROM pg_stat_replication WHERE state = 'streaming'");
      const streaming = new Set(standbys.rows.map((r) => r.name));
      const missing = this.ctx.nodes.filter((n) => n !== primary && !streaming.has(n));
      if (missing.length > 0) return `standbys not streaming yet: ${missing.join(', ')}`;
      if (!this.schemaReady) {
        for (const sql of SCHEMA) await c.query(sql);
        this.schemaReady = true;
      }
      return null;
    });
  }

  async awaitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    for (let attempt = 0; attempt < 10_000 && Date.now() < deadline; attempt++) {
      try {
        const problem = await this.primaryProblem();
        if (problem === null) {
          // Every standby answers reads and has replayed the schema.
          const views = await Promise.all(this.ctx.nodes.map((n) => this.withDirect(n, 2000, (c) => c.query("SELECT to_regclass('sets') IS NOT NULL AS ok")).then((r) => r.rows[0].ok === true, () => false)));
          const behind = this.ctx.nodes.filter((_, i) => !views[i]);
          if (behind.length === 0) {
            this.manager.start();
            return;
          }
          last = `schema not replayed yet on ${behind.join(', ')}`;
        } else last = problem;
      } catch (err) {
        last = describeError(err);
      }
      await sleep(Math.min(250, Math.max(0, deadline - Date.now())));
    }
    throw new Error(`postgres cluster was not healthy after ${timeoutMs} ms: ${last}`);
  }

  async openClient(node: NodeId, _process: number): Promise<Client> {
    if (!this.ctx.nodes.includes(node)) throw new InputError(`unknown node "${node}"`);
    const route = () => ({ node: this.manager.primary, addr: this.clientAddress(this.manager.primary) });
    // standby-reads: the client's own node answers its reads, whatever it has replayed so far.
    const own = () => ({ node, addr: this.clientAddress(node) });
    return new PgClient(route, this.ctx.workload, this.isolation, this.ctx.config === 'standby-reads' ? own : undefined);
  }

  async finalRead(node: NodeId, key: Key, timeoutMs: number): Promise<FinalRead> {
    try {
      return { ok: true, value: await this.withDirect(node, timeoutMs, (c) => readDirect(c, this.ctx.workload, key)) };
    } catch (err) {
      return { ok: false, value: null, error: describeError(err) };
    }
  }

  /** The primary is the node the failover manager routes every client to (the one it promoted last). */
  async roles(): Promise<Roles> {
    return { primary: this.manager.primary };
  }

  async versions(): Promise<Record<string, string>> {
    if (this.ctx.runtime !== 'ssh') return { postgres: await postgresVersion() };
    // Each host's own server, found as its start finds it.
    const argv = (n: NodeId) => ['/bin/sh', '-c', `${PG_FIND_BIN}\nB=$(pg_bin "$1") && exec "$B/postgres" --version`, 'pg-version', this.programOf(n)];
    return { postgres: await nodesVersion(this.runtime, this.ctx.nodes, PG_POSTGRES, PG_VERSION, argv) };
  }
}

const PG_VERSION = /\(PostgreSQL\)\s*(\S+)/;

export function postgresVersion(): Promise<string> {
  return binaryVersion(PG_POSTGRES, PG_VERSION);
}

// The txn workloads map micro-ops to SQL in client.ts (a row per key: lists by text concatenation, registers).
const workloads: readonly [WorkloadName, ...WorkloadName[]] = ['register', 'set', 'txn-list-append', 'txn-rw-register'];

export function parseIsolation(v: string | undefined): Isolation {
  if (v === undefined) return 'read-committed';
  if (!(ISOLATION_LEVELS as readonly string[]).includes(v)) throw new InputError(`postgres target: --isolation must be one of ${ISOLATION_LEVELS.join(', ')} (got ${JSON.stringify(v)})`);
  return v as Isolation;
}

export const postgresTarget: Target = {
  name: 'postgres',
  configs: CONFIGS,
  defaultConfig: 'async',
  promises: { async: 'AP', sync: 'CP', 'standby-reads': 'AP' },
  bugs: [],
  isolationLevels: ISOLATION_LEVELS,
  roles: ['primary'],
  workloads,
  runtimes: ['netns', 'docker', 'ssh'],
  defaultRuntime: 'netns',
  // Latency delays replication and client links through the proxies.
  faultLimits: { clock: "postgres times replication with the monotonic clock, so a wall-clock skew shows nothing of interest", file: 'the file fault damages only data files a target names, and postgres names none yet (nats does)' },
  async create(ctx: TargetContext): Promise<Cluster> {
    validateRealContext('postgres', CONFIGS, ctx, workloads);
    // On ssh the data lives on the hosts, which the cluster checks before it starts (checkHosts).
    if (ctx.runtime !== 'ssh') checkReachable(ctx.dataDir);
    return new PostgresCluster(ctx, { isolation: parseIsolation(ctx.isolation) });
  },
};
