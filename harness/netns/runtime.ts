/**
 * The netns runtime: real processes, real kernel networking. One namespace per node on a bridge in a hub
 * namespace; faults are signals (kill, pause), iptables rules in the node namespaces (partition, loss),
 * userspace proxies for latency where the kernel has no netem (client links, and node links on the target's
 * peer ports: link-latency.ts) and libfaketime (clock).
 *
 * Everything it creates is recorded in a state file first, so `cleanup()` can remove what a crashed run
 * left, and a synchronous best-effort teardown runs on process 'exit'.
 */
import { ClientProxies, type NodeAddress } from '../kernel/client-proxies.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../histories/errors.js';
import { parseLinkFaults, UnsupportedFault, type Capability, type FileDamage, type Grudge, type LinkFaults, type NodeId } from '../runtime.js';
import { damageStoppedNode } from '../kernel/data-files.js';
import type { KernelRuntime, KernelRuntimeOptions, NodeContext } from '../kernel/runtime.js';
import { NodeFirewalls } from '../kernel/firewall.js';
import { faketimeEnv, writeClockOffset } from '../kernel/clock.js';
import { installRedirects, LinkProxyProcess, linkRoutes } from '../kernel/link-latency.js';
import { isSameProcessAlive, procStartTime, signalProc, waitGone, type ProcRef } from '../kernel/procs.js';
import { runEntered, runSyncQuiet } from '../kernel/shell.js';
import { defaultThirdOctet, nodeAddr, nodeIndex, parseSubnet, runNames, runTag, type RunNames, type Subnet24 } from './names.js';
import { clearNetem, hasNetem, setNetemDelay } from './netem.js';
import { spawnInNs, waitForExec } from './spawn.js';
import { enterNs, namespacePids, namespacePidsSync } from './shell.js';
import { DEFAULT_STATE_DIR, readState, releaseSubnet, removeState, statePath, tryReserveSubnet, writeState, type RunState } from './state.js';
import { cleanup } from './cleanup.js';
import { createHub, createNode, destroyNetwork, subnetInUse } from './topology.js';
import { kernelLinkFaults } from '../kernel/link-faults.js';

export interface NetnsRuntimeOptions extends KernelRuntimeOptions {
  stateDir?: string;
  /** How long one process may take to exec after spawn. */
  startTimeoutMs?: number;
  faketimeLib?: string;
}

interface NodeProc {
  name: string;
  ref: ProcRef;
  clock: 'faketime' | 'none';
}

interface NodeState {
  procs: NodeProc[];
  running: boolean;
  paused: boolean;
  /** Set once the node has been launched with a faketime control file (clockSkew writes to it). */
  clockFile: string | null;
  /** True between kill() and the next launch, so the exits it causes are not reported as crashes. */
  killed: boolean;
}

export class NetnsRuntime implements KernelRuntime {
  readonly kind = 'netns' as const;
  /**
   * Latency needs netem or the target's peer ports, and clock needs a binary that loads libfaketime: both
   * are found out at start, and a window that cannot be made is recorded as UnsupportedFault.
   */
  static readonly supports: readonly Capability[] = ['partition', 'kill', 'pause', 'loss', 'latency', 'clock', 'files'];
  readonly supports = NetnsRuntime.supports;
  readonly nodes: readonly NodeId[];
  readonly runId: string;
  readonly tag: string;
  private readonly names: RunNames;
  private readonly stateDir: string;
  private readonly opts: NetnsRuntimeOptions;
  private subnet: Subnet24 | null = null;
  private readonly nodeStates = new Map<NodeId, NodeState>();
  private readonly proxies = new ClientProxies();
  private netem = false;
  private netemApplied = false;
  private linkProxies: LinkProxyProcess[] = [];
  private started = false;
  private teardownPromise: Promise<void> | null = null;
  private readonly exitHook = () => this.teardownSync();
  private state: RunState | null = null;
  private readonly firewalls: NodeFirewalls;

  constructor(opts: NetnsRuntimeOptions) {
    if (opts.nodes.length === 0) throw new InputError('netns runtime needs at least one node');
    if (new Set(opts.nodes).size !== opts.nodes.length) throw new InputError(`duplicate node names: ${opts.nodes.join(', ')}`);
    this.opts = opts;
    this.nodes = [...opts.nodes];
    this.runId = opts.runId;
    this.tag = runTag(opts.runId);
    this.names = runNames(this.tag);
    this.stateDir = opts.stateDir ?? DEFAULT_STATE_DIR;
    if (opts.subnet !== undefined) parseSubnet(opts.subnet);
    for (const n of this.nodes) this.nodeStates.set(n, { procs: [], running: false, paused: false, clockFile: null, killed: false });
    this.firewalls = new NodeFirewalls({ nodes: this.nodes, addressOf: (n) => this.addressOf(n), exec: this.exec });
  }

  /** Run a command inside the node's namespace (the primitive the shared kernel helpers use). */
  readonly exec = (node: NodeId, argv: readonly string[], input?: string): Promise<string> =>
    runEntered(enterNs(this.namespaceOf(node)), argv, input);

  /** Namespace of a node (for tests and diagnostics). */
  namespaceOf(node: NodeId): string {
    return this.names.nodeNs(nodeIndex(this.nodes, node));
  }

  get hubNamespace(): string {
    return this.names.hubNs;
  }

  /** Every namespace and root-namespace interface this run creates. */
  get namespaces(): string[] {
    return [...this.nodes.map((_, i) => this.names.nodeNs(i)), this.names.hubNs];
  }

  get rootLinks(): string[] {
    return [this.names.rootVeth];
  }

  /** The node's address inside the run's /24. */
  addressOf(node: NodeId): string {
    return nodeAddr(this.requireSubnet(), nodeIndex(this.nodes, node));
  }

  /**
   * Where a client in the harness process connects to reach `port` on `node`: the latency proxy when that
   * port is proxied, else the node's address itself.
   */
  nodeAddress(node: NodeId, port?: number): NodeAddress {
    return this.proxies.address(node, this.addressOf(node), port);
  }

  /** Map from "nodeAddr:port" to the client-facing address, for clients told addresses by the cluster (Sentinel). */
  addressMap(port: number): Record<string, { host: string; port: number }> {
    return this.proxies.addressMap(this.nodes, port, (n) => this.addressOf(n));
  }

  /** PIDs of a node's live processes (the target's own PIDs, not `ip`'s). */
  pidsOf(node: NodeId): number[] {
    const st = this.requireNode(node);
    return st.procs.filter((p) => isSameProcessAlive(p.ref)).map((p) => p.ref.pid);
  }

  isRunning(node: NodeId): boolean {
    return this.requireNode(node).running;
  }

  get hasNetem(): boolean {
    return this.netem;
  }

  async start(): Promise<void> {
    if (this.started) throw new Error(`netns runtime ${this.runId} already started`);
    if (typeof process.getuid === 'function' && process.getuid() !== 0) {
      throw new Error('the netns runtime needs root (network namespaces and iptables)');
    }
    this.started = true;
    // The same run id again (a rerun after a crash): clear what the dead run left, or refuse if it lives.
    const previous = readState(statePath(this.stateDir, this.tag));
    if (previous) {
      if (previous.owner.startTime !== '' && isSameProcessAlive(previous.owner)) {
        this.started = false;
        throw new InputError(`netns run id "${this.runId}" is in use by live process ${previous.owner.pid}`);
      }
      await cleanup(this.runId, this.stateDir);
    }
    this.subnet = await this.reserveSubnet();
    this.state = {
      runId: this.runId,
      tag: this.tag,
      subnet: this.subnet,
      owner: { pid: process.pid, startTime: procStartTime(process.pid) ?? '' },
      namespaces: this.namespaces,
      rootLinks: this.rootLinks,
      procs: [],
      createdAt: new Date().toISOString(),
    };
    // Recorded before anything exists, so a crash at any later point leaves a trail for cleanup().
    writeState(this.stateDir, this.state);
    process.on('exit', this.exitHook);

    const subnet = this.subnet;
    await createHub(this.names, subnet);
    await Promise.all(this.nodes.map((_, i) => createNode(this.names, subnet, i)));
    await Promise.all(this.nodes.map((n) => this.firewalls.install(n)));
    this.netem = await hasNetem(this.names.hubNs);
    // Before any node starts: a connection opened before its REDIRECT rule exists would bypass the proxy.
    if (!this.netem && (this.opts.peerPorts ?? []).length > 0) await this.startLinkProxies(this.opts.peerPorts!);

    await this.proxies.open(this.nodes, this.opts.proxyPorts ?? [], (n) => this.addressOf(n));
    await Promise.all(this.nodes.map((n) => this.launchNode(n)));
    this.opts.logger?.info({ runId: this.runId, subnet: `${subnet}.0/24`, netem: this.netem }, 'netns runtime up');
  }

  private async startLinkProxies(ports: readonly number[]): Promise<void> {
    mkdirSync(this.opts.logDir, { recursive: true });
    this.linkProxies = await Promise.all(
      this.nodes.map(async (node, i) => {
        const routes = linkRoutes(this.nodes.filter((p) => p !== node).map((p) => this.addressOf(p)), ports);
        await installRedirects(this.exec, node, routes);
        const proxy = await LinkProxyProcess.start({
          enter: enterNs(this.names.nodeNs(i)),
          routes,
          seed: `${this.opts.seed ?? this.runId}/${node}`,
          logFile: join(this.opts.logDir, `${node}.link-proxy.log`),
        });
        this.recordProc(node, 'link-proxy', proxy.ref);
        return proxy;
      }),
    );
  }

  /** True when inter-node latency can be set (netem, or link proxies on the target's peer ports). */
  get hasLinkLatency(): boolean {
    return this.netem || this.linkProxies.length > 0;
  }

  private async reserveSubnet(): Promise<Subnet24> {
    if (this.opts.subnet !== undefined) {
      const s = parseSubnet(this.opts.subnet);
      if (!tryReserveSubnet(this.stateDir, s, this.tag)) throw new InputError(`subnet ${s}.0/24 is already used by another faultline run`);
      if (await subnetInUse(s)) {
        releaseSubnet(this.stateDir, s, this.tag);
        throw new InputError(`subnet ${s}.0/24 overlaps a route on this machine; choose another`);
      }
      return s;
    }
    const first = defaultThirdOctet(this.tag);
    for (let k = 0; k < 250; k++) {
      const s = `10.213.${((first - 1 + k) % 250) + 1}`;
      if (!tryReserveSubnet(this.stateDir, s, this.tag)) continue;
      if (await subnetInUse(s)) {
        releaseSubnet(this.stateDir, s, this.tag);
        continue;
      }
      return s;
    }
    throw new Error('no free 10.213.X.0/24 subnet for the netns runtime (run `faultline cleanup`?)');
  }

  private nodeContext(node: NodeId): NodeContext {
    const i = nodeIndex(this.nodes, node);
    const peers: Record<NodeId, string> = {};
    for (const n of this.nodes) peers[n] = this.addressOf(n);
    const dataDir = join(this.opts.dataDir, node);
    mkdirSync(dataDir, { recursive: true });
    mkdirSync(this.opts.logDir, { recursive: true });
    return { index: i, addr: this.addressOf(node), peers, dataDir, logFile: join(this.opts.logDir, `${node}.log`) };
  }

  private async launchNode(node: NodeId): Promise<void> {
    const st = this.requireNode(node);
    const ctx = this.nodeContext(node);
    const raw = this.opts.launch(node, ctx);
    const specs = Array.isArray(raw) ? raw : [raw];
    if (specs.length === 0) throw new Error(`launcher returned no process for node ${node}`);
    const ns = this.namespaceOf(node);
    const procs: NodeProc[] = [];
    st.paused = false;
    st.killed = false;
    for (const spec of specs) {
      const clock = spec.clock ?? 'none';
      const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', ...spec.env };
      if (clock === 'faketime') {
        if (st.clockFile === null) {
          st.clockFile = join(ctx.dataDir, '.faketime');
          writeFileSync(st.clockFile, '+0\n');
        }
        Object.assign(env, faketimeEnv(st.clockFile, this.opts.faketimeLib));
      }
      const spawned = spawnInNs({ ns, command: spec.command, args: spec.args, env, logFile: spec.logFile ?? ctx.logFile });
      const name = spec.name ?? spec.command;
      procs.push({ name, ref: spawned.ref, clock });
      this.recordProc(node, name, spawned.ref);
      void spawned.exited.then((how) => {
        if (this.teardownPromise === null && !st.killed) this.opts.logger?.warn({ node, name, ...how }, 'node process exited on its own');
      });
    }
    st.procs = procs;
    st.running = true;
    const timeout = this.opts.startTimeoutMs ?? 10_000;
    await Promise.all(procs.map((p) => waitForExec(p.ref, `${node}/${p.name}`, timeout)));
  }

  private recordProc(node: NodeId, name: string, ref: ProcRef): void {
    if (!this.state) return;
    // Forget processes that are gone, so the file doesn't grow with every restart.
    this.state.procs = this.state.procs.filter((p) => isSameProcessAlive(p));
    this.state.procs.push({ node, name, ...ref });
    writeState(this.stateDir, this.state);
  }

  async kill(node: NodeId): Promise<void> {
    const st = this.requireNode(node);
    st.killed = true;
    for (const p of st.procs) signalProc(p.ref, 'SIGKILL');
    await Promise.all(st.procs.map((p) => waitGone(p.ref, 10_000)));
    st.running = false;
    st.paused = false;
  }

  async damageFile(node: NodeId, damage: FileDamage): Promise<Record<string, unknown>> {
    this.requireNode(node);
    return damageStoppedNode({ node, running: this.isRunning(node), nodeDir: join(this.opts.dataDir, node), dataFiles: this.opts.dataFiles }, damage);
  }

  /** Start a killed node again with the same data folder. A node that is still running is left as it is. */
  async restart(node: NodeId): Promise<void> {
    const st = this.requireNode(node);
    this.requireStarted();
    if (st.running && st.procs.some((p) => isSameProcessAlive(p.ref))) return;
    await this.launchNode(node);
  }

  async pause(node: NodeId): Promise<void> {
    const st = this.requireNode(node);
    for (const p of st.procs) signalProc(p.ref, 'SIGSTOP');
    st.paused = true;
  }

  async resume(node: NodeId): Promise<void> {
    const st = this.requireNode(node);
    for (const p of st.procs) signalProc(p.ref, 'SIGCONT');
    st.paused = false;
  }

  async partition(grudge: Grudge): Promise<void> {
    this.requireStarted();
    await this.firewalls.partition(grudge);
  }

  async heal(): Promise<void> {
    this.requireStarted();
    await this.firewalls.heal();
  }

  /**
   * Inter-node link faults. Loss is iptables' random drop on every inter-node link (each direction). Latency
   * is netem where the kernel has it, else the link proxies on the target's peer ports; with neither,
   * inter-node latency throws UnsupportedFault before anything is changed.
   */
  async setLinkFaults(faults: LinkFaults | null): Promise<void> {
    this.requireStarted();
    const f = kernelLinkFaults(faults);
    const latency = f.latencyMs ?? 0;
    const jitter = f.jitterMs ?? 0;
    if ((latency > 0 || jitter > 0) && !this.hasLinkLatency) {
      throw new UnsupportedFault('inter-node latency needs netem, which this kernel lacks, or a target that names its peer ports; only client->node latency (setClientLatency) is available');
    }
    await this.firewalls.setLoss(f.loss ?? 0);
    if (this.netem && (latency > 0 || jitter > 0)) {
      await Promise.all(this.nodes.map((_, i) => setNetemDelay(this.names.nodeNs(i), this.names.nodeVeth(i), latency, jitter)));
      this.netemApplied = true;
    } else if (this.netemApplied) {
      await Promise.all(this.nodes.map((_, i) => clearNetem(this.names.nodeNs(i), this.names.nodeVeth(i))));
      this.netemApplied = false;
    }
    if (!this.netem && this.linkProxies.length > 0) {
      await Promise.all(this.linkProxies.map((p) => p.setDelay(latency, jitter)));
      // netem on a node's veth slows its clients too; the proxies match that by delaying client links as well.
      if (this.proxies.active) this.proxies.setLatency(latency > 0 || jitter > 0 ? { latencyMs: latency, jitterMs: jitter } : null, 'netns');
    }
  }

  /** Delay on client->node links (both directions), through the loopback proxies of `proxyPorts`. */
  async setClientLatency(faults: Pick<LinkFaults, 'latencyMs' | 'jitterMs'> | null): Promise<void> {
    this.requireStarted();
    this.proxies.setLatency(faults === null ? null : parseLinkFaults(faults), 'netns');
  }

  /** Offsets the node's wall clock via libfaketime (re-read within a second; no restart needed). */
  async clockSkew(node: NodeId, offsetMs: number): Promise<void> {
    const st = this.requireNode(node);
    if (!Number.isFinite(offsetMs)) throw new InputError(`clock offset must be a number of milliseconds, got ${offsetMs}`);
    if (st.clockFile === null || !st.procs.some((p) => p.clock === 'faketime')) {
      throw new UnsupportedFault('clock faults are not supported for this target');
    }
    writeClockOffset(st.clockFile, offsetMs);
  }

  teardown(): Promise<void> {
    if (!this.teardownPromise) this.teardownPromise = this.doTeardown();
    return this.teardownPromise;
  }

  private async doTeardown(): Promise<void> {
    if (!this.started) return;
    const refs = [...this.nodeStates.values()].flatMap((s) => s.procs.map((p) => p.ref));
    for (const r of refs) signalProc(r, 'SIGKILL');
    // Anything else living in our namespaces (a node's stray child) is ours too.
    for (const ns of this.namespaces) {
      for (const pid of await namespacePids(ns)) {
        const st = procStartTime(pid);
        if (st !== null) signalProc({ pid, startTime: st }, 'SIGKILL');
      }
    }
    await Promise.all(refs.map((r) => waitGone(r, 10_000)));
    for (const s of this.nodeStates.values()) {
      s.running = false;
      s.paused = false;
    }
    for (const p of this.linkProxies) p.stop();
    await this.proxies.close();
    await destroyNetwork(this.rootLinks, this.namespaces);
    if (this.subnet) releaseSubnet(this.stateDir, this.subnet, this.tag);
    removeState(this.stateDir, this.tag);
    process.removeListener('exit', this.exitHook);
  }

  /** Best effort on process exit, where only synchronous work runs. */
  private teardownSync(): void {
    if (!this.started) return;
    for (const s of this.nodeStates.values()) for (const p of s.procs) signalProc(p.ref, 'SIGKILL');
    for (const ns of this.namespaces) {
      for (const pid of namespacePidsSync(ns)) {
        const st = procStartTime(pid);
        if (st !== null) signalProc({ pid, startTime: st }, 'SIGKILL');
      }
    }
    for (const l of this.rootLinks) runSyncQuiet('ip', ['link', 'del', l]);
    for (const ns of this.namespaces) runSyncQuiet('ip', ['netns', 'del', ns]);
    if (this.subnet) releaseSubnet(this.stateDir, this.subnet, this.tag);
    removeState(this.stateDir, this.tag);
  }

  private requireNode(node: NodeId): NodeState {
    const st = this.nodeStates.get(node);
    if (!st) throw new InputError(`unknown node "${node}" (nodes: ${this.nodes.join(', ')})`);
    return st;
  }

  private requireSubnet(): Subnet24 {
    if (this.subnet === null) throw new Error('netns runtime not started yet: node addresses are assigned by start()');
    return this.subnet;
  }

  private requireStarted(): void {
    if (!this.started) throw new Error('netns runtime not started');
  }
}


