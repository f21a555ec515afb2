/**
 * Targets whose nodes speak Maelstrom's protocol on the sim runtime: the built-in store (raft, lww) and any
 * user's Maelstrom node binary, run unmodified.
 */
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../../histories/errors.js';
import { SimRuntime } from '../../harness/sim/sim-runtime.js';
import { PidLedger } from '../../harness/sim/ledger.js';
import type { Client, Cluster, FinalRead, ReplicaLog, Target, TargetContext } from '../../harness/target.js';
import type { Key } from '../../histories/op.js';
import { builtinCommand, BUILTIN_BUGS, TXN_ONLY_BUGS } from '../builtin/index.js';
import { MaelstromClient, KEY_DOES_NOT_EXIST } from './client.js';
import { workloadOf, type MaelstromFormat } from '../../harness/workloads/index.js';
import { BftClient } from './bft-client.js';
import { BFT_SECRET_ENV, traitorResigner } from '../builtin/bft-auth.js';
import { sleep } from '../../harness/time.js';
import { makeTopology } from '../../harness/topology.js';

interface Launch {
  command: string;
  args: string[];
  /** Whether the nodes understand faultline_local_read and faultline_clock. */
  builtin: boolean;
  /** Byzantine-fault-tolerant nodes: clients ask every node; nodes authenticate with keys from this secret. */
  bftSecret?: string;
}

class MaelstromCluster implements Cluster {
  readonly runtime: SimRuntime;
  readonly replicaLog?: Cluster['replicaLog'];

  constructor(
    private readonly ctx: TargetContext,
    private readonly launch: Launch,
  ) {
    if (launch.bftSecret) this.replicaLog = (node, timeoutMs) => this.committedLog(node, timeoutMs);
    mkdirSync(ctx.dataDir, { recursive: true });
    mkdirSync(ctx.logDir, { recursive: true });
    this.runtime = new SimRuntime({
      nodes: ctx.nodes,
      command: launch.command,
      args: launch.args,
      dataDir: ctx.dataDir,
      logDir: ctx.logDir,
      seed: ctx.seed,
      logger: ctx.logger,
      clock: launch.builtin,
      ledger: new PidLedger(ctx.runId),
      ...(launch.bftSecret ? { env: { [BFT_SECRET_ENV]: launch.bftSecret }, resign: traitorResigner(launch.bftSecret) } : {}),
      baseLatencyMs: ctx.latencyMs,
      echoStderr: ctx.logStderr,
      logMaxBytes: ctx.nodeLogMax,
    });
  }

  /** How this run's workload is spelled on the wire (harness/workloads/<name>.ts). */
  private get format(): MaelstromFormat {
    const f = workloadOf(this.ctx.workload).maelstrom;
    if (!f) throw new InputError(`the ${this.ctx.workload} workload has no Maelstrom message format`);
    return f;
  }

  async awaitHealthy(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    await this.awaitReads(deadline, timeoutMs);
    if (this.format.topology) await this.sendTopology(deadline, timeoutMs);
  }

  /**
   * Maelstrom's broadcast starts with a `topology` message naming each node's neighbours: by default every
   * node gets all the others (which links a node gossips over is its own design, and faults come from the
   * nemesis, not from a sparse graph); `--topology` offers Maelstrom's grid, line or trees instead.
   */
  private async sendTopology(deadline: number, timeoutMs: number): Promise<void> {
    const topology = makeTopology(this.ctx.topology ?? 'complete', this.ctx.nodes, this.ctx.seed);
    for (const node of this.ctx.nodes) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`node ${node} did not take the broadcast topology within ${timeoutMs / 1000} s`);
      let r: Record<string, unknown>;
      try {
        r = await this.runtime.request(node, { type: 'topology', topology }, Math.min(5000, left));
      } catch (err) {
        throw new Error(`node ${node} did not answer the broadcast topology message: ${(err as Error).message}`);
      }
      if (r.type !== 'topology_ok') throw new Error(`node ${node} answered the topology message with ${JSON.stringify(r)}`);
    }
  }

  private async awaitReads(deadline: number, timeoutMs: number): Promise<void> {
    for (const node of this.ctx.nodes) {
      let last = 'no answer';
      // A node is healthy once it answers the probe (a read: with a value or "no such key", not "unavailable").
      // A BFT node orders even reads through consensus and takes only requests sent to every node: ask it
    // for its own state, which it serves once it is up.
    const probe = this.launch.bftSecret
      ? { body: { type: 'faultline_local_read', key: '__faultline_health' }, healthy: (r: Record<string, unknown>) => r.type === 'faultline_local_read_ok' }
      : this.format.probe;
      while (true) {
        const left = deadline - performance.now();
        if (left <= 0) throw new Error(`node ${node} never became healthy within ${timeoutMs / 1000} s (last: ${last})`);
        try {
          const r = await this.runtime.request(node, probe.body, Math.min(1000, left));
          if (probe.healthy(r)) break;
          last = JSON.stringify(r);
        } catch (err) {
          last = (err as Error).message;
        }
        await sleep(100);
      }
    }
  }

  async openClient(node: string): Promise<Client> {
    if (this.launch.bftSecret) return new BftClient(this.runtime, this.ctx.nodes, this.runtime.newClientId());
    const format = this.format;
    return format.client ? format.client(this.runtime, node, this.ctx.keys ?? 1) : new MaelstromClient(this.runtime, node, format);
  }

  async finalRead(node: string, key: Key, timeoutMs: number): Promise<FinalRead> {
    const format = this.format;
    if (format.finalRead) return format.finalRead(this.runtime, node, key, timeoutMs);
    const empty = format.emptyState;
    const body = this.launch.builtin ? { type: 'faultline_local_read', key } : format.keylessRead ? { type: 'read' } : { type: 'read', key };
    let r: Record<string, unknown>;
    try {
      r = await this.runtime.request(node, body, timeoutMs);
    } catch (err) {
      return { ok: false, value: null, error: (err as Error).message };
    }
    if (r.type === 'faultline_local_read_ok') return { ok: true, value: r.exists === false ? empty : (r.value ?? empty) };
    if (r.type === 'read_ok') return { ok: true, value: format.okValue({ f: 'read', key }, r) };
    if (r.type === 'error' && r.code === KEY_DOES_NOT_EXIST) return { ok: true, value: empty };
    return { ok: false, value: null, error: JSON.stringify(r) };
  }

  /** What a bft node committed per height (the only node here that keeps a log of batches). */
  private async committedLog(node: string, timeoutMs: number): Promise<ReplicaLog> {
    const r = await this.runtime.request(node, { type: 'faultline_committed' }, timeoutMs);
    if (r.type !== 'faultline_committed_ok' || !Number.isInteger(r.from) || !Array.isArray(r.ids) || !r.ids.every((x) => typeof x === 'string')) {
      throw new Error(`node ${node} answered faultline_committed with ${JSON.stringify(r).slice(0, 200)}`);
    }
    return { from: r.from as number, ids: r.ids as string[] };
  }

  async versions(): Promise<Record<string, string>> {
    return this.launch.builtin ? { builtin: 'faultline' } : { maelstrom_bin: this.launch.command };
  }
}

export const builtinTarget: Target = {
  name: 'builtin',
  configs: ['raft', 'lww', 'bft', 'gossip'],
  defaultConfig: 'raft',
  promises: { raft: 'CP', lww: 'AP', bft: 'CP', gossip: 'AP' },
  agreeing: ['bft'],
  bugs: BUILTIN_BUGS,
  workloads: ['register', 'set', 'lin-kv', 'broadcast', 'txn-list-append', 'txn-rw-register'],
  runtimes: ['sim'],
  defaultRuntime: 'sim',
  async create(ctx) {
    const { command, args } = builtinCommand(ctx.config, ctx.bug, ctx.dataDir);
    if (ctx.bug !== undefined && TXN_ONLY_BUGS.includes(ctx.bug) && !ctx.workload.startsWith('txn-')) {
      throw new InputError(`the ${ctx.bug} bug is in the transaction path: run it with --workload txn-list-append or txn-rw-register, not ${ctx.workload}`);
    }
    if ((ctx.config === 'gossip') !== (ctx.workload === 'broadcast')) {
      throw new InputError(ctx.config === 'gossip' ? `the gossip config serves --workload broadcast only, not ${ctx.workload}` : `--workload broadcast needs --config gossip on the builtin target`);
    }
    if (ctx.config === 'bft') {
      if (ctx.workload !== 'register' && ctx.workload !== 'lin-kv') throw new InputError(`the bft config serves registers only (--workload register or lin-kv), not ${ctx.workload}`);
      return new MaelstromCluster(ctx, { command, args, builtin: true, bftSecret: randomBytes(32).toString('base64url') });
    }
    return new MaelstromCluster(ctx, { command, args, builtin: true });
  },
};

/** The --bin a user gave must be a program we can start; each way it is not gets its own message. */
function checkBin(given: string | undefined): string {
  if (!given) throw new InputError('--target maelstrom needs --bin PATH (a Maelstrom node program)');
  const bin = resolve(given);
  let st;
  try {
    st = statSync(bin);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new InputError(`--bin ${given}: too many levels of symbolic links (a symlink loop?)`);
    if (code === 'EACCES') throw new InputError(`--bin ${given}: permission denied on the path`);
    throw new InputError(`--bin ${given}: no such file`);
  }
  if (st.isDirectory()) throw new InputError(`--bin ${given} is a directory, not a program`);
  if (!st.isFile()) throw new InputError(`--bin ${given} is not a regular file`);
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    throw new InputError(`--bin ${given} is not executable (chmod +x ${given})`);
  }
  return bin;
}

export const maelstromTarget: Target = {
  name: 'maelstrom',
  configs: ['default'],
  defaultConfig: 'default',
  promises: { default: 'CP' },
  // Maelstrom's g-set and broadcast nodes promise that every acknowledged element arrives everywhere, not
  // that reads are current: hold them to delivery and convergence, and report stale reads.
  workloadPromises: { set: 'AP', broadcast: 'AP', 'g-counter': 'AP', 'pn-counter': 'AP', 'unique-ids': 'AP', echo: 'AP', kafka: 'AP' },
  bugs: [],
  workloads: ['lin-kv', 'register', 'set', 'broadcast', 'g-counter', 'pn-counter', 'unique-ids', 'echo', 'kafka', 'txn-list-append', 'txn-rw-register'],
  runtimes: ['sim'],
  defaultRuntime: 'sim',
  faultLimits: { clock: 'a Maelstrom binary has no clock the harness can move (only the built-in nodes honour faultline_clock)' },
  checkConfig(config) {
    checkBin(config.bin);
  },
  async create(ctx) {
    const bin = checkBin(ctx.bin);
    return new MaelstromCluster(ctx, { command: bin, args: [], builtin: false });
  },
};
