/**
 * The sim runtime: node programs speaking Maelstrom's protocol on stdin/stdout, with every message between
 * them routed through here so partitions (any shape, one-way too), loss, latency and duplication are exact
 * and, given the seed, deterministic. Clients (`c1`, `c2`, ...) sit with the controller: their traffic is
 * delayed like any other but never partitioned or lost.
 *
 * Args and env of the node command may use `{node}` and `{dataDir}`; each node gets its own data folder
 * (`<dataDir>/<node>`, kept across restarts) and its stderr goes to `<logDir>/<node>.log`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { InputError } from '../../histories/errors.js';
import { UnsupportedFault, type ByzantineSpec, type Capability, type Grudge, type LinkFaults, type NodeId, type Runtime } from '../runtime.js';
import { ByzantineTap, type ByzantineStats, type Resigner } from './byzantine.js';
import { NodeStartError, TimeoutError } from './errors.js';
import type { PidLedger } from './ledger.js';
import { LinkModel } from './link-model.js';
import { DEFAULT_LOG_MAX_BYTES, NodeProcess } from './node-process.js';
import { errorName, isClientId, isErrorBody, MessageSchema, type Body } from './protocol.js';
import { isServiceName, makeServices, type Service } from './services.js';
import { NetTally, type NetCounts } from './net-tally.js';

export { NodeStartError, TimeoutError } from './errors.js';

/**
 * A hook that sees every message a node sends before the link model decides its fate, and may put other
 * lines in its place (changed, several, or none). The router knows nothing of why; a Byzantine fault is one
 * implementation. Lines it returns go to the same destination over the sender's own link.
 */
export interface RouterTap {
  /** Whether replies to clients pass through the tap too (node-to-node traffic always does). */
  readonly clients: boolean;
  /** undefined leaves the message as it is. */
  onMessage(src: NodeId, dest: string, body: Body, line: string): readonly string[] | undefined;
}

export interface SimRuntimeOptions {
  nodes: string[];
  command: string;
  args: string[];
  env?: Record<string, string>;
  dataDir: string;
  logDir: string;
  seed: string;
  logger?: Logger;
  /** The target understands `faultline_clock`; without it clockSkew throws UnsupportedFault. */
  clock?: boolean;
  /** How long a node may take to answer `init` (default 10 s). */
  initTimeoutMs?: number;
  /** Record every node PID here, so `faultline cleanup` can end them if the harness dies without teardown. */
  ledger?: PidLedger;
  /** Bounds on one node's stdout (see NodeProcess); a node past them is killed and named in breaches(). */
  maxLineChars?: number;
  maxOutputChars?: number;
  /** How a traitor re-authenticates a message it changed, with the keys it holds (targets with message MACs). */
  resign?: Resigner;
  /** Latency of every link for the whole run, in ms (Maelstrom's --latency); the latency fault adds to it. */
  baseLatencyMs?: number;
  /** Copy every node's stderr lines to the harness's stderr as well, prefixed with the node (--log-stderr). */
  echoStderr?: boolean;
  /** Cap on each node's log file, in bytes (default 16 MiB). */
  logMaxBytes?: number;
}

const OptionsSchema = z.object({
  nodes: z
    .array(z.string().regex(/^n[0-9]+$/, 'node ids look like n1, n2, ...'))
    .min(1)
    .refine((ns) => new Set(ns).size === ns.length, 'node ids must be distinct'),
  command: z.string().min(1),
  args: z.array(z.string()),
  dataDir: z.string().min(1),
  logDir: z.string().min(1),
  seed: z.string(),
  initTimeoutMs: z.number().int().positive().optional(),
});

export interface SimStats {
  /** Node-to-node messages the nodes sent. */
  sent: number;
  /** Node-to-node copies written to the destination (duplicates count twice). */
  delivered: number;
  duplicated: number;
  droppedPartition: number;
  droppedLoss: number;
  /** In flight to or from a node that was killed (or had exited) by delivery time. */
  droppedDead: number;
  /** Total of the three drop counters. */
  dropped: number;
  /** stdout lines that were not protocol messages. */
  malformed: number;
  unknownDest: number;
  clientRequests: number;
  clientReplies: number;
  clientTimeouts: number;
  /** Messages by kind of link (servers, clients, Maelstrom's services), for the network statistics. */
  net: NetCounts;
}

type ReplyBody = Body & Record<string, unknown>;

interface Pending {
  node: NodeId;
  client: string;
  timeoutMs: number;
  timer: NodeJS.Timeout;
  resolve: (body: ReplyBody) => void;
  reject: (err: Error) => void;
}

interface Slot {
  readonly id: NodeId;
  proc: NodeProcess | undefined;
  /** Bumped by every kill and start, so messages addressed to an old incarnation are dropped. */
  epoch: number;
  clockOffsetMs: number;
  readonly pids: number[];
  /** Every incarnation, for what became of their stderr. */
  readonly procs: NodeProcess[];
}

const CONTROLLER = 'c0';
const KILL_WAIT_MS = 5000;

/** One process-wide 'exit' hook for all live runtimes: a crashing harness must not leave nodes behind. */
const liveRuntimes = new Set<SimRuntime>();
function killAllSync(): void {
  for (const rt of liveRuntimes) rt.killAllNow();
}

export class SimRuntime implements Runtime {
  readonly kind = 'sim' as const;
  /** Every fault: the sim routes every message. Clock needs a node that honours `faultline_clock` (opts.clock). */
  static readonly supports: readonly Capability[] = ['partition', 'kill', 'pause', 'loss', 'latency', 'clock', 'byzantine'];
  readonly supports = SimRuntime.supports;
  readonly nodes: readonly NodeId[];
  private readonly opts: SimRuntimeOptions;
  private readonly slots = new Map<NodeId, Slot>();
  private readonly links: LinkModel;
  private readonly pending = new Map<number, Pending>();
  private nextMsgId = 0;
  private nextClient = 0;
  private defaultClient: string | undefined;
  private started = false;
  private tornDown: Promise<void> | undefined;
  private readonly warned = new Set<string>();
  private readonly breachList: string[] = [];
  private tap: RouterTap | undefined;
  private byzantineTap: ByzantineTap | undefined;
  private readonly services: ReadonlyMap<string, Service>;
  private readonly tally = new NetTally();
  private readonly counters = {
    sent: 0,
    delivered: 0,
    duplicated: 0,
    droppedPartition: 0,
    droppedLoss: 0,
    droppedDead: 0,
    malformed: 0,
    unknownDest: 0,
    clientRequests: 0,
    clientReplies: 0,
    clientTimeouts: 0,
  };

  constructor(opts: SimRuntimeOptions) {
    const parsed = OptionsSchema.safeParse(opts);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InputError(`sim runtime: ${issue.path.join('.') || 'options'}: ${issue.message}`);
    }
    this.opts = opts;
    this.nodes = [...opts.nodes];
    for (const id of this.nodes) this.slots.set(id, { id, proc: undefined, epoch: 0, clockOffsetMs: 0, pids: [], procs: [] });
    this.links = new LinkModel(this.nodes, opts.seed, opts.baseLatencyMs ?? 0);
    this.services = makeServices(opts.seed);
  }

  async start(): Promise<void> {
    if (this.tornDown) throw new Error('sim runtime: start() after teardown()');
    if (this.started) return;
    this.started = true;
    if (liveRuntimes.size === 0) process.on('exit', killAllSync);
    liveRuntimes.add(this);
    mkdirSync(this.opts.logDir, { recursive: true });
    const results = await Promise.allSettled(this.nodes.map((id) => this.boot(this.slot(id))));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async kill(node: NodeId): Promise<void> {
    const slot = this.slot(node);
    slot.epoch++;
    const proc = slot.proc;
    if (!proc || !proc.alive) return;
    proc.signal('SIGKILL');
    await proc.closed(KILL_WAIT_MS);
    this.opts.logger?.info({ node, pid: proc.pid }, 'sim: killed node');
  }

  /** Start a killed node again with the same data folder. A node that is still running is left alone. */
  async restart(node: NodeId): Promise<void> {
    const slot = this.slot(node);
    if (this.tornDown) throw new Error('sim runtime: restart() after teardown()');
    if (slot.proc?.alive) {
      this.opts.logger?.info({ node }, 'sim: restart of a running node ignored');
      return;
    }
    await this.boot(slot);
  }

  async pause(node: NodeId): Promise<void> {
    const proc = this.slot(node).proc;
    if (!proc?.alive || proc.paused) return;
    proc.signal('SIGSTOP');
    proc.paused = true;
  }

  async resume(node: NodeId): Promise<void> {
    const proc = this.slot(node).proc;
    if (!proc?.alive || !proc.paused) return;
    proc.signal('SIGCONT');
    proc.paused = false;
  }

  async partition(grudge: Grudge): Promise<void> {
    this.links.setGrudge(grudge);
    this.opts.logger?.info({ grudge }, 'sim: partition');
  }

  async heal(): Promise<void> {
    this.links.heal();
    this.opts.logger?.info('sim: healed');
  }

  async setLinkFaults(faults: LinkFaults | null): Promise<void> {
    this.links.setFaults(faults);
    this.opts.logger?.info({ faults }, 'sim: link faults');
  }

  async clockSkew(node: NodeId, offsetMs: number): Promise<void> {
    if (!this.opts.clock) throw new UnsupportedFault('clock faults are not supported for this target');
    if (!Number.isFinite(offsetMs)) throw new InputError(`clock offset must be a finite number of ms, got ${offsetMs}`);
    const slot = this.slot(node);
    slot.clockOffsetMs = offsetMs;
    this.sendClock(slot);
  }

  async byzantine(spec: ByzantineSpec | null): Promise<void> {
    if (spec === null) {
      this.opts.logger?.info({ stats: this.byzantineTap?.stats() }, 'sim: traitors honest again');
      this.byzantineTap = undefined;
      this.setTap(undefined);
      return;
    }
    for (const t of spec.traitors) this.slot(t);
    this.byzantineTap = new ByzantineTap({ ...spec, nodes: this.nodes, seed: this.opts.seed, resign: this.opts.resign });
    this.setTap(this.byzantineTap);
    this.opts.logger?.info({ spec }, 'sim: traitors lying');
  }

  /** What the current (or last) Byzantine fault did to messages. */
  byzantineStats(): ByzantineStats | undefined {
    return this.byzantineTap?.stats();
  }

  /** Install (or remove, with undefined) the router's message hook. */
  setTap(tap: RouterTap | undefined): void {
    this.tap = tap;
  }

  async teardown(): Promise<void> {
    if (!this.tornDown) this.tornDown = this.doTeardown();
    return this.tornDown;
  }

  /** A fresh client id (`c1`, `c2`, ...), for callers that want one per logical client. */
  newClientId(): string {
    return `c${++this.nextClient}`;
  }

  /**
   * Send `body` to `node` from a client and resolve with the reply body, error bodies included. Rejects
   * with TimeoutError when no reply comes within `timeoutMs` (a killed or paused node just never answers).
   */
  request(node: NodeId, body: Record<string, unknown>, timeoutMs: number, client?: string): Promise<ReplyBody> {
    const slot = this.slot(node);
    if (!this.started || this.tornDown) return Promise.reject(new Error('sim runtime: request() while not running'));
    if (typeof body.type !== 'string' || body.type === '') {
      return Promise.reject(new InputError('sim runtime: a request body needs a string "type"'));
    }
    const from = client ?? (this.defaultClient ??= this.newClientId());
    if (!isClientId(from)) return Promise.reject(new InputError(`client ids look like c1, c2, ...; got "${from}"`));
    this.counters.clientRequests++;
    this.tally.count('client-server');
    const { msgId, reply } = this.expectReply(node, from, timeoutMs, String(body.type));
    const line = JSON.stringify({ src: from, dest: node, body: { ...body, msg_id: msgId } });
    const delay = this.links.clientDelay();
    if (delay <= 0) this.deliverFromClient(slot, line);
    else setTimeout(() => this.deliverFromClient(slot, line), delay);
    return reply;
  }

  /** Nodes that broke the protocol beyond the harness's bounds, each with why (the run cannot be judged). */
  protocolBreaches(): string[] {
    return [...this.breachList];
  }

  stats(): SimStats {
    const c = this.counters;
    return { ...c, dropped: c.droppedPartition + c.droppedLoss + c.droppedDead, net: this.tally.snapshot() };
  }

  messageCounts(): NetCounts {
    return this.tally.snapshot();
  }

  /** One sentence per node whose log lost stderr (capped, or dropped while the disk was behind). */
  logNotes(): string[] {
    const notes: string[] = [];
    for (const slot of this.slots.values()) {
      const st = slot.procs.map((p) => p.logStats);
      const dropped = st.reduce((n, s) => n + s.dropped, 0);
      if (dropped === 0) continue;
      const capped = st.some((s) => s.capped);
      notes.push(`${slot.id}.log ${capped ? `reached its cap of ${this.opts.logMaxBytes ?? DEFAULT_LOG_MAX_BYTES} bytes` : 'fell behind the node'}: ${dropped} bytes of its stderr were not kept`);
    }
    return notes;
  }

  /** Every pid each node ever had, oldest first. */
  pids(): Record<NodeId, number[]> {
    const out: Record<NodeId, number[]> = {};
    for (const [id, slot] of this.slots) out[id] = [...slot.pids];
    return out;
  }

  /** The node's current pid, if it is running. */
  pidOf(node: NodeId): number | undefined {
    const proc = this.slot(node).proc;
    return proc?.alive ? proc.pid : undefined;
  }

  isRunning(node: NodeId): boolean {
    return this.slot(node).proc?.alive ?? false;
  }

  /** Synchronous last resort for process exit: SIGKILL every child still alive. */
  killAllNow(): void {
    for (const slot of this.slots.values()) {
      const pid = slot.proc?.alive ? slot.proc.pid : undefined;
      if (pid === undefined) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  private slot(node: NodeId): Slot {
    const slot = this.slots.get(node);
    if (!slot) throw new InputError(`unknown node "${node}" (this cluster has ${this.nodes.join(', ')})`);
    return slot;
  }

  private async boot(slot: Slot): Promise<void> {
    const node = slot.id;
    const dataDir = join(this.opts.dataDir, node);
    mkdirSync(dataDir, { recursive: true });
    const fill = (s: string): string => s.replaceAll('{node}', node).replaceAll('{dataDir}', dataDir);
    const env: NodeJS.ProcessEnv = { ...process.env, FAULTLINE_NODE: node, FAULTLINE_DATA_DIR: dataDir };
    for (const [k, v] of Object.entries(this.opts.env ?? {})) env[k] = fill(v);
    const epoch = ++slot.epoch;
    const proc = new NodeProcess({
      node,
      command: this.opts.command,
      args: this.opts.args.map(fill),
      env,
      logPath: join(this.opts.logDir, `${node}.log`),
      logMaxBytes: this.opts.logMaxBytes,
      echoStderr: this.opts.echoStderr ? (l) => process.stderr.write(`[${node}] ${l}\n`) : undefined,
      onLine: (line) => this.route(slot, epoch, line),
      onExit: (code, signal, error) => this.onNodeExit(slot, epoch, code, signal, error),
      onBreach: (reason) => {
        this.breachList.push(`node ${node} ${reason}`);
        this.opts.logger?.error({ node, reason }, 'sim: node broke the protocol; killed');
      },
      maxLineChars: this.opts.maxLineChars,
      maxOutputChars: this.opts.maxOutputChars,
    });
    slot.proc = proc;
    slot.procs.push(proc);
    if (proc.pid !== undefined) {
      slot.pids.push(proc.pid);
      this.opts.ledger?.record(node, proc.pid);
    }

    const timeoutMs = this.opts.initTimeoutMs ?? 10_000;
    const { msgId, reply } = this.expectReply(node, CONTROLLER, timeoutMs, 'init');
    proc.send(JSON.stringify({ src: CONTROLLER, dest: node, body: { type: 'init', msg_id: msgId, node_id: node, node_ids: this.nodes } }));
    const exited = proc.exited.then((): never => {
      const why = proc.spawnError
        ? `could not be started (${proc.spawnError.message}); command: ${this.opts.command}`
        : proc.breach
          ? `broke the protocol before answering init: it ${proc.breach}`
          : `exited (${proc.exitSignal ? `signal ${proc.exitSignal}` : `code ${proc.exitCode}`}) before answering init`;
      throw new NodeStartError(`node ${node} ${why}${stderrHint(proc.stderr)}`, node);
    });
    try {
      const body = await Promise.race([reply, exited]);
      if (body.type !== 'init_ok') {
        const detail = isErrorBody(body) ? `error ${body.code} (${errorName(body.code)}) ${body.text ?? ''}` : `"${body.type}"`;
        throw new NodeStartError(`node ${node} answered init with ${detail.trim()} instead of init_ok`, node);
      }
    } catch (err) {
      this.cancel(msgId);
      exited.catch(() => undefined);
      if (err instanceof TimeoutError) {
        throw new NodeStartError(`node ${node} did not answer init within ${timeoutMs} ms${stderrHint(proc.stderr)}`, node);
      }
      throw err;
    }
    exited.catch(() => undefined);
    this.opts.logger?.info({ node, pid: proc.pid }, 'sim: node up');
    if (slot.clockOffsetMs !== 0 && this.opts.clock) this.sendClock(slot);
  }

  private sendClock(slot: Slot): void {
    if (!slot.proc?.alive) return;
    const body = { type: 'faultline_clock', msg_id: ++this.nextMsgId, offset_ms: slot.clockOffsetMs };
    slot.proc.send(JSON.stringify({ src: CONTROLLER, dest: slot.id, body }));
  }

  private expectReply(node: NodeId, client: string, timeoutMs: number, what: string): { msgId: number; reply: Promise<ReplyBody> } {
    const msgId = ++this.nextMsgId;
    const reply = new Promise<ReplyBody>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.pending.delete(msgId)) return;
        if (client !== CONTROLLER) this.counters.clientTimeouts++;
        reject(new TimeoutError(`no reply from ${node} to ${what} within ${timeoutMs} ms`, node, timeoutMs));
      }, timeoutMs);
      this.pending.set(msgId, { node, client, timeoutMs, timer, resolve, reject });
    });
    return { msgId, reply };
  }

  private cancel(msgId: number): void {
    const p = this.pending.get(msgId);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(msgId);
  }

  /** The hot path: one stdout line of a node. */
  private route(from: Slot, epoch: number, line: string): void {
    if (from.epoch !== epoch) {
      this.counters.droppedDead++;
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      this.onMalformed(from.id, line, 'not JSON');
      return;
    }
    const parsed = MessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.onMalformed(from.id, line, parsed.error.issues[0].message);
      return;
    }
    const msg = parsed.data;
    if (msg.src !== from.id) this.warnOnce(`src:${from.id}`, { node: from.id, src: msg.src }, 'sim: node sent a message with a src other than its own id');
    const dest = this.slots.get(msg.dest);
    if (dest !== undefined) {
      this.counters.sent++;
      this.tally.count('server-server');
      const out = this.tap?.onMessage(from.id, msg.dest, msg.body, line);
      if (out === undefined) this.routeBetweenNodes(from, dest, line);
      else for (const l of out) this.routeBetweenNodes(from, dest, l);
    } else if (isServiceName(msg.dest)) {
      this.tally.count('server-service');
      this.toService(from, this.services.get(msg.dest)!, msg.body);
    } else if (isClientId(msg.dest)) {
      this.tally.count('server-client');
      let body = msg.body as ReplyBody;
      if (this.tap?.clients) {
        const out = this.tap.onMessage(from.id, msg.dest, msg.body, line);
        if (out !== undefined) {
          if (out.length === 0) return;
          body = (JSON.parse(out[0]) as { body: ReplyBody }).body;
        }
      }
      const delay = this.links.clientDelay();
      if (delay <= 0) this.onReply(msg.dest, body);
      else setTimeout(() => this.onReply(msg.dest, body), delay);
    } else {
      this.counters.unknownDest++;
      this.warnOnce(`dest:${msg.dest}`, { node: from.id, dest: msg.dest }, 'sim: message to an unknown node dropped');
    }
  }

  private routeBetweenNodes(from: Slot, to: Slot, line: string): void {
    const fate = this.links.decide(from.id, to.id);
    if (fate === 'partitioned') {
      this.counters.droppedPartition++;
      return;
    }
    if (fate === 'lost') {
      this.counters.droppedLoss++;
      return;
    }
    const copies = this.links.copies;
    if (copies === 2) this.counters.duplicated++;
    for (let i = 0; i < copies; i++) {
      const delay = this.links.delays[i];
      if (delay <= 0) this.deliverToNode(to, line);
      else setTimeout(this.deliverLater, delay, from, from.epoch, to, to.epoch, line);
    }
  }

  private readonly deliverLater = (from: Slot, fromEpoch: number, to: Slot, toEpoch: number, line: string): void => {
    if (from.epoch !== fromEpoch || to.epoch !== toEpoch) {
      this.counters.droppedDead++;
      return;
    }
    this.deliverToNode(to, line);
  };

  private deliverToNode(to: Slot, line: string): void {
    const proc = to.proc;
    if (!proc?.alive) {
      this.counters.droppedDead++;
      return;
    }
    proc.send(line);
    this.counters.delivered++;
  }

  /**
   * A request to one of Maelstrom's services. Like Maelstrom, whose partitions are drawn over the test's nodes
   * only, a service is never partitioned, lost, killed or paused; its links take the run's latency both ways.
   * A reply reaches only the incarnation of the node that asked: one killed meanwhile never sees it.
   */
  private toService(from: Slot, service: Service, body: Body): void {
    const epoch = from.epoch;
    const answer = (): void => {
      const reply = service.handle(from.id, body);
      const out = JSON.stringify({ src: service.name, dest: from.id, body: { ...reply, in_reply_to: body.msg_id } });
      this.tally.count('service-server');
      const back = this.links.serviceDelay();
      if (back <= 0) this.deliverFromService(from, epoch, out);
      else setTimeout(() => this.deliverFromService(from, epoch, out), back);
    };
    const delay = this.links.serviceDelay();
    if (delay <= 0) answer();
    else setTimeout(answer, delay);
  }

  private deliverFromService(to: Slot, epoch: number, line: string): void {
    if (to.epoch !== epoch || !to.proc?.alive) {
      this.counters.droppedDead++;
      return;
    }
    to.proc.send(line);
  }

  /** Client requests to a dead node vanish (it just never answers); they are not node traffic. */
  private deliverFromClient(to: Slot, line: string): void {
    if (to.proc?.alive) to.proc.send(line);
  }

  private onReply(client: string, body: ReplyBody): void {
    const inReplyTo = body.in_reply_to;
    if (inReplyTo === undefined) {
      this.warnOnce(`noreply:${client}`, { client, type: body.type }, 'sim: message to a client without in_reply_to ignored');
      return;
    }
    const p = this.pending.get(inReplyTo);
    if (!p || p.client !== client) return; // a late reply to a request that already timed out
    clearTimeout(p.timer);
    this.pending.delete(inReplyTo);
    if (client !== CONTROLLER) this.counters.clientReplies++;
    p.resolve(body);
  }

  private onNodeExit(slot: Slot, epoch: number, code: number | null, signal: NodeJS.Signals | null, error?: Error): void {
    if (slot.epoch !== epoch || this.tornDown) return; // killed on purpose
    slot.epoch++;
    this.opts.logger?.warn({ node: slot.id, code, signal, error: error?.message, stderr: slot.proc?.stderr.slice(-500) }, 'sim: node exited by itself');
  }

  private onMalformed(node: NodeId, line: string, why: string): void {
    this.counters.malformed++;
    this.warnOnce(`malformed:${node}`, { node, why, line: line.slice(0, 200) }, 'sim: node wrote a non-protocol line on stdout (logs belong on stderr)');
  }

  private warnOnce(key: string, obj: Record<string, unknown>, msg: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.opts.logger?.warn(obj, msg);
  }

  private async doTeardown(): Promise<void> {
    for (const [msgId, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(msgId);
      p.reject(new TimeoutError(`sim runtime torn down before ${p.node} replied`, p.node, p.timeoutMs));
    }
    const procs: NodeProcess[] = [];
    for (const slot of this.slots.values()) {
      slot.epoch++;
      const proc = slot.proc;
      if (!proc) continue;
      procs.push(proc);
      if (proc.alive) {
        proc.signal('SIGKILL');
        if (proc.paused) proc.signal('SIGCONT');
      }
    }
    await Promise.all(procs.map((p) => p.closed(KILL_WAIT_MS)));
    this.opts.ledger?.remove();
    liveRuntimes.delete(this);
    if (liveRuntimes.size === 0) process.off('exit', killAllSync);
    this.opts.logger?.info('sim: torn down');
  }
}

function stderrHint(stderr: string): string {
  const tail = stderr.trim().split('\n').slice(-5).join('\n');
  return tail ? `; its stderr ends with:\n${tail}` : '';
}
