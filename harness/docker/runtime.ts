/**
 * The docker runtime: one container per node on an internal bridge network the run creates, each node at a
 * fixed address on it. It takes the same Launcher as the netns runtime, so a target starts the same commands
 * on either. Faults: kill is `docker kill` (SIGKILL to the container's PID 1, which takes every process of
 * the container with it), restart starts the container again (same address, same bind-mounted data folder),
 * pause freezes the container's cgroup, partitions and loss are iptables rules in the node's network
 * namespace (through nsenter), client-link latency goes through the same loopback proxies as netns.
 *
 * Each node's network namespace belongs to a small sandbox container (as a Kubernetes pod's does) that the
 * node's container joins. So, as in the netns runtime, a node's address and firewall rules exist before its
 * process starts and survive its kills: peers of a killed node get "connection refused" rather than waiting
 * on ARP, a restarted node is back inside its partition from its first packet, and faults can be set while
 * a node is down.
 *
 * A node's first LaunchSpec is the container's PID 1 (the image's entrypoint is replaced by its command, so
 * no shell is needed in the image); further specs (Redis' Sentinel) are `docker exec`ed once it runs.
 * Data folders are bind-mounted at their host path, so the paths a launcher writes into its arguments
 * (config files, data dirs) mean the same inside and outside the container.
 */
import { ClientProxies, type NodeAddress } from '../kernel/client-proxies.js';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type Dockerode from 'dockerode';
import { InputError } from '../../histories/errors.js';
import { parseLinkFaults, UnsupportedFault, type Capability, type FileDamage, type Grudge, type LinkFaults, type NodeId } from '../runtime.js';
import { damageStoppedNode } from '../kernel/data-files.js';
import { procStartTime, signalProc } from '../kernel/procs.js';
import type { KernelRuntime, KernelRuntimeOptions, LaunchSpec, NodeContext } from '../kernel/runtime.js';
import { NodeFirewalls } from '../kernel/firewall.js';
import { runEntered } from '../kernel/shell.js';
import { connectEngine, containerIsLocal, NODE_LABEL, OWNER_LABEL, pingEngine, ROLE_LABEL, RUN_LABEL, statusOf, type DockerOptions } from './engine.js';
import { createRunNetwork, type RunNetwork } from './network.js';
import { containerName, networkName, nodeAddr, validateNodes } from './names.js';
import { captureContainer, execInto, execOutput, type Capture } from './output.js';
import { installRedirects, LinkProxyProcess, linkRoutes } from '../kernel/link-latency.js';
import { sleep, withTimeout } from '../time.js';
import { kernelLinkFaults } from '../kernel/link-faults.js';

/** Data folders are bind-mounted at their host path; the default subnet is a free 10.214.X.0/24. */
export interface DockerRuntimeOptions extends KernelRuntimeOptions {
  /** The image every node runs, e.g. faultline/etcd:local (scripts/build-images.sh). */
  image: string;
  /** How to reach the engine; by default DOCKER_HOST, else the standard socket, else scripts/dockerd.sh's. */
  docker?: DockerOptions;
  /** Bound on each engine call (create, start, kill...). */
  callTimeoutMs?: number;
  /**
   * The image of the per-node sandbox holding the network namespace. The default (scripts/build-images.sh)
   * is run as `/bin/sh -c 'read _'` on an open stdin; any other image must run forever by its own command.
   */
  sandboxImage?: string;
}

export const DEFAULT_SANDBOX_IMAGE = 'faultline/pause:local';

const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

interface NodeState {
  index: number;
  name: string;
  sandboxName: string;
  /** Host PID of the sandbox's process: the way into the node's network namespace (nsenter -t). */
  netPid: number | null;
  container: Dockerode.Container | null;
  /** The main spec the container was created with; a launcher that asks for another one gets a new container. */
  createdWith: string | null;
  running: boolean;
  paused: boolean;
  /** The container's PID 1 as the host sees it (for nsenter); null when not running. */
  pid: number | null;
  captures: Capture[];
  /** Bumped at every start, so a stale exit notice of an earlier start is ignored. */
  generation: number;
}

function specKey(spec: LaunchSpec): string {
  return JSON.stringify({ c: spec.command, a: spec.args, e: spec.env ?? {} });
}

function envList(spec: LaunchSpec): string[] {
  const env: Record<string, string> = { PATH: BASE_PATH, LANG: 'C.UTF-8', ...spec.env };
  return Object.entries(env).map(([k, v]) => `${k}=${v}`);
}


export class DockerRuntime implements KernelRuntime {
  readonly kind = 'docker' as const;
  /** No clock: libfaketime would have to be in every image. Latency needs the target's peer ports. */
  static readonly supports: readonly Capability[] = ['partition', 'kill', 'pause', 'loss', 'latency', 'files'];
  readonly supports = DockerRuntime.supports;
  readonly nodes: readonly NodeId[];
  readonly runId: string;
  readonly image: string;
  readonly sandboxImage: string;
  readonly networkName: string;
  private readonly opts: DockerRuntimeOptions;
  private readonly docker: Dockerode;
  private readonly engineUrl: string;
  private readonly dataDir: string;
  private readonly logDir: string;
  private readonly callMs: number;
  private readonly owner: string;
  private network: RunNetwork | null = null;
  private readonly states = new Map<NodeId, NodeState>();
  private readonly proxies = new ClientProxies();
  private readonly linkProxies: LinkProxyProcess[] = [];
  private readonly firewalls: NodeFirewalls;
  private started = false;
  /** Set just before the first object is created: a start that failed before it leaves nothing to remove. */
  private creating = false;
  private teardownPromise: Promise<void> | null = null;
  private readonly exitHook = () => this.teardownSync();

  constructor(opts: DockerRuntimeOptions) {
    validateNodes(opts.nodes);
    if (!opts.image) throw new InputError('docker runtime needs an image (e.g. faultline/etcd:local from scripts/build-images.sh)');
    this.opts = opts;
    this.nodes = [...opts.nodes];
    this.runId = opts.runId;
    this.image = opts.image;
    this.sandboxImage = opts.sandboxImage ?? DEFAULT_SANDBOX_IMAGE;
    this.networkName = networkName(opts.runId);
    this.dataDir = resolve(opts.dataDir);
    this.logDir = resolve(opts.logDir);
    this.callMs = opts.callTimeoutMs ?? 30_000;
    const engine = connectEngine(opts.docker);
    this.docker = engine.docker;
    this.engineUrl = engine.url;
    this.owner = `${process.pid}:${procStartTime(process.pid) ?? ''}`;
    this.nodes.forEach((n, index) =>
      this.states.set(n, {
        index,
        name: containerName(opts.runId, n),
        sandboxName: `${containerName(opts.runId, n)}-net`,
        netPid: null,
        container: null, createdWith: null,
        running: false,
        paused: false,
        pid: null,
        captures: [],
        generation: 0,
      }),
    );
    // Killed nodes too: their namespace lives on in the sandbox, so they restart under the current faults.
    this.firewalls = new NodeFirewalls({ nodes: this.nodes, addressOf: (n) => this.addressOf(n), exec: this.exec, ready: (n) => this.requireNode(n).netPid !== null });
  }

  /** Run a command in the node's network namespace (its sandbox's), through nsenter. */
  readonly exec = (node: NodeId, argv: readonly string[], input?: string): Promise<string> => runEntered(this.enter(node), argv, input);

  /** Run a short program inside the node's container (the image's files, not this machine's): its stdout. */
  async runProgram(node: NodeId, argv: readonly string[]): Promise<string> {
    const st = this.requireNode(node);
    if (!st.container || !st.running) throw new Error(`node ${node}'s container is not running`);
    return execOutput(this.docker, st.container, [...argv]);
  }

  private enter(node: NodeId): string[] {
    const pid = this.requireNode(node).netPid;
    if (pid === null) throw new Error(`docker runtime: node ${node} has no network namespace yet (not started)`);
    return ['nsenter', '-t', String(pid), '-n'];
  }

  /** The node's address on the run's network (the container's fixed IP). */
  addressOf(node: NodeId): string {
    if (!this.network) throw new Error('docker runtime not started yet: node addresses are assigned by start()');
    return nodeAddr(this.network.subnet, this.requireNode(node).index);
  }

  /** Where a client in the harness reaches `port` on `node`: the latency proxy when that port is proxied. */
  nodeAddress(node: NodeId, port?: number): NodeAddress {
    return this.proxies.address(node, this.addressOf(node), port);
  }

  /** Map from "nodeAddr:port" to the client-facing address, for clients told addresses by the cluster (Sentinel). */
  addressMap(port: number): Record<string, { host: string; port: number }> {
    return this.proxies.addressMap(this.nodes, port, (n) => this.addressOf(n));
  }

  /** The run's /24, e.g. "10.214.7.0/24" (null before start). */
  get subnet(): string | null {
    return this.network ? `${this.network.subnet}.0/24` : null;
  }

  containerNameOf(node: NodeId): string {
    return this.requireNode(node).name;
  }

  /** Host PID of the node container's PID 1, or null when it is not running. */
  pidOf(node: NodeId): number | null {
    return this.requireNode(node).pid;
  }

  /** Host PID of a process in the node's network namespace (its sandbox), for nsenter; null before start. */
  netPidOf(node: NodeId): number | null {
    return this.requireNode(node).netPid;
  }

  isRunning(node: NodeId): boolean {
    return this.requireNode(node).running;
  }

  isPaused(node: NodeId): boolean {
    return this.requireNode(node).paused;
  }

  async start(): Promise<void> {
    if (this.started) throw new Error(`docker runtime ${this.runId} already started`);
    this.started = true;
    process.on('exit', this.exitHook);
    await pingEngine(this.docker, this.engineUrl);
    for (const image of new Set([this.image, this.sandboxImage])) {
      try {
        await this.call(this.docker.getImage(image).inspect(), `docker image inspect ${image}`);
      } catch (e) {
        if (statusOf(e) === 404) throw new InputError(`image ${image} is not in the engine at ${this.engineUrl}: build it with scripts/build-images.sh`);
        throw e;
      }
    }
    this.creating = true;
    this.network = await createRunNetwork(this.docker, { name: this.networkName, runId: this.runId, owner: this.owner, subnet: this.opts.subnet });
    await this.proxies.open(this.nodes, this.opts.proxyPorts ?? [], (n) => this.addressOf(n));
    // Every address exists before any node starts, as with machines booted before their services.
    await Promise.all(this.nodes.map((n) => this.startSandbox(n)));
    await Promise.all(this.nodes.map((n) => this.launchNode(n)));
    this.opts.logger?.info({ runId: this.runId, network: this.networkName, subnet: this.subnet, image: this.image }, 'docker runtime up');
  }

  private nodeContext(node: NodeId): NodeContext {
    const st = this.requireNode(node);
    const peers: Record<NodeId, string> = {};
    for (const n of this.nodes) peers[n] = this.addressOf(n);
    const dataDir = join(this.dataDir, node);
    mkdirSync(dataDir, { recursive: true });
    mkdirSync(this.logDir, { recursive: true });
    return { index: st.index, addr: this.addressOf(node), peers, dataDir, logFile: join(this.logDir, `${node}.log`) };
  }

  private async startSandbox(node: NodeId): Promise<void> {
    const st = this.requireNode(node);
    const net = this.requireNetwork();
    const own = this.sandboxImage === DEFAULT_SANDBOX_IMAGE;
    const sandbox = await this.call(
      this.docker.createContainer({
        name: st.sandboxName,
        Image: this.sandboxImage,
        Hostname: node,
        // `read` on a stdin the engine keeps open blocks forever, so the default image needs no sleep binary.
        ...(own ? { Entrypoint: ['/bin/sh'], Cmd: ['-c', 'read _'], OpenStdin: true } : {}),
        Labels: { [RUN_LABEL]: this.runId, [NODE_LABEL]: node, [OWNER_LABEL]: this.owner, [ROLE_LABEL]: 'sandbox' },
        HostConfig: { NetworkMode: net.name, RestartPolicy: { Name: 'no' }, LogConfig: { Type: 'none', Config: {} } },
        NetworkingConfig: { EndpointsConfig: { [net.name]: { IPAMConfig: { IPv4Address: this.addressOf(node) } } } },
      }),
      `docker create ${st.sandboxName}`,
    );
    await this.call(sandbox.start(), `docker start ${st.sandboxName}`);
    const info = await this.call(sandbox.inspect(), `docker inspect ${st.sandboxName}`);
    if (!info.State.Running || !info.State.Pid) throw new Error(`sandbox ${st.sandboxName} did not stay up (state ${info.State.Status}); its image must run forever`);
    if (!containerIsLocal(info.State.Pid, info.Id)) {
      throw new InputError(
        `the Docker engine at ${this.engineUrl} runs its containers on another machine (or in a VM): the docker runtime ` +
          'enters their network namespaces by PID and connects to their addresses, so run faultline on the engine\'s host',
      );
    }
    st.netPid = info.State.Pid;
    await this.firewalls.install(node);
    const ports = this.opts.peerPorts ?? [];
    if (ports.length > 0) {
      // In the sandbox's namespace, before the node starts, so no peer connection bypasses the proxy.
      const enter = this.enter(node);
      const routes = linkRoutes(this.peersOf(node), ports);
      await installRedirects(this.exec, node, routes);
      mkdirSync(this.logDir, { recursive: true });
      this.linkProxies.push(
        await LinkProxyProcess.start({ enter, routes, seed: `${this.opts.seed ?? this.runId}/${node}`, logFile: join(this.logDir, `${node}.link-proxy.log`) }),
      );
    }
  }

  private async createContainer(node: NodeId, ctx: NodeContext, main: LaunchSpec): Promise<Dockerode.Container> {
    const st = this.requireNode(node);
    return this.call(
      this.docker.createContainer({
        name: st.name,
        Image: this.image,
        Entrypoint: [main.command],
        Cmd: main.args,
        Env: envList(main),
        WorkingDir: '/',
        Labels: { [RUN_LABEL]: this.runId, [NODE_LABEL]: node, [OWNER_LABEL]: this.owner, [ROLE_LABEL]: 'node' },
        AttachStdout: true,
        AttachStderr: true,
        HostConfig: {
          Binds: [`${ctx.dataDir}:${ctx.dataDir}`],
          NetworkMode: `container:${st.sandboxName}`,
          RestartPolicy: { Name: 'no' },
          LogConfig: { Type: 'json-file', Config: { 'max-size': '20m' } },
        },
      }),
      `docker create ${st.name}`,
    );
  }

  private async launchNode(node: NodeId): Promise<void> {
    const st = this.requireNode(node);
    const ctx = this.nodeContext(node);
    const raw = this.opts.launch(node, ctx);
    const specs = Array.isArray(raw) ? raw : [raw];
    if (specs.length === 0) throw new Error(`launcher returned no process for node ${node}`);
    const [main, ...extras] = specs;
    const key = specKey(main);
    if (st.container && st.createdWith !== key) {
      await this.removeContainer(st);
    }
    if (!st.container) {
      st.container = await this.createContainer(node, ctx, main);
      st.createdWith = key;
    }
    const container = st.container;
    // The previous start's streams ended with its container; drop them before attaching anew.
    for (const c of st.captures) c.close();
    st.captures = [];
    st.captures.push(await captureContainer(this.docker, container, main.logFile ?? ctx.logFile));
    st.generation++;
    const generation = st.generation;
    await this.call(container.start(), `docker start ${st.name}`);
    const info = await this.call(container.inspect(), `docker inspect ${st.name}`);
    st.pid = info.State.Pid || null;
    st.running = true;
    st.paused = false;
    this.watchExit(node, container, generation);
    if (st.pid === null) throw new Error(`container ${st.name} has no process after start (state ${info.State.Status})`);
    for (const spec of extras) {
      const { capture } = await execInto(this.docker, container, { cmd: [spec.command, ...spec.args], env: envList(spec) }, spec.logFile ?? ctx.logFile);
      st.captures.push(capture);
    }
  }

  /** Note when a node's container stops without us having killed it (a crash is worth a line in the log). */
  private watchExit(node: NodeId, container: Dockerode.Container, generation: number): void {
    container
      .wait({ condition: 'not-running' })
      .then((r: { StatusCode?: number }) => {
        const st = this.states.get(node);
        if (!st || st.generation !== generation || !st.running) return;
        st.running = false;
        st.pid = null;
        if (this.teardownPromise === null) this.opts.logger?.warn({ node, exitCode: r?.StatusCode }, 'node container exited');
      })
      .catch(() => undefined);
  }

  private peersOf(node: NodeId): string[] {
    return this.nodes.filter((p) => p !== node).map((p) => this.addressOf(p));
  }

  /** Node folders are bind-mounted from this machine, so a stopped node's files are damaged in place. */
  async damageFile(node: NodeId, damage: FileDamage): Promise<Record<string, unknown>> {
    this.requireNode(node);
    return damageStoppedNode({ node, running: this.isRunning(node), nodeDir: join(this.dataDir, node), dataFiles: this.opts.dataFiles }, damage);
  }

  async kill(node: NodeId): Promise<void> {
    const st = this.requireNode(node);
    this.requireStarted();
    st.generation++;
    if (st.container) {
      try {
        await this.call(st.container.kill({ signal: 'SIGKILL' }), `docker kill ${st.name}`);
      } catch (e) {
        // 409: not running already, which is what a kill wants.
        if (statusOf(e) !== 409 && statusOf(e) !== 304) throw e;
      }
      await this.waitStopped(st);
    }
    st.running = false;
    st.paused = false;
    st.pid = null;
  }

  private async waitStopped(st: NodeState): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (let i = 0; i < 1000 && Date.now() < deadline; i++) {
      const info = await this.call(st.container!.inspect(), `docker inspect ${st.name}`);
      if (!info.State.Running) return;
      await sleep(50);
    }
    throw new Error(`container ${st.name} still running 15 s after docker kill`);
  }

  /** Start a killed node again with the same data folder and address. A running node is left as it is. */
  async restart(node: NodeId): Promise<void> {
    const st = this.requireNode(node);
    this.requireStarted();
    if (st.running && st.container) {
      const info = await this.call(st.container.inspect(), `docker inspect ${st.name}`);
      if (info.State.Running) return;
    }
    await this.launchNode(node);
  }

  async pause(node: NodeId): Promise<void> {
    const st = this.requireNode(node);
    this.requireStarted();
    if (!st.running || st.paused || !st.container) return;
    try {
      await this.call(st.container.pause(), `docker pause ${st.name}`);
    } catch (e) {
      if (statusOf(e) !== 409) throw e;
    }
    st.paused = true;
  }

  async resume(node: NodeId): Promise<void> {
    const st = this.requireNode(node);
    this.requireStarted();
    if (!st.paused || !st.container) return;
    try {
      await this.call(st.container.unpause(), `docker unpause ${st.name}`);
    } catch (e) {
      if (statusOf(e) !== 409) throw e;
    }
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
   * Loss is iptables' random drop on every inter-node link. Inter-node latency would need netem, which this
   * kernel lacks: it throws UnsupportedFault before anything changes (setClientLatency covers client links).
   */
  async setLinkFaults(faults: LinkFaults | null): Promise<void> {
    this.requireStarted();
    const f = kernelLinkFaults(faults);
    const latency = f.latencyMs ?? 0;
    const jitter = f.jitterMs ?? 0;
    if ((latency > 0 || jitter > 0) && this.linkProxies.length === 0) {
      throw new UnsupportedFault('inter-node latency needs the target to name its peer ports (link proxies); only client->node latency (setClientLatency) is available');
    }
    await this.firewalls.setLoss(f.loss ?? 0);
    await Promise.all(this.linkProxies.map((p) => p.setDelay(latency, jitter)));
    // As netem on a node's interface would, a slow network slows the node's clients too.
    if (this.linkProxies.length > 0 && this.proxies.active) {
      this.proxies.setLatency(latency > 0 || jitter > 0 ? { latencyMs: latency, jitterMs: jitter } : null, 'docker');
    }
  }

  /** Delay on client->node links (both directions), through the loopback proxies of `proxyPorts`. */
  async setClientLatency(faults: Pick<LinkFaults, 'latencyMs' | 'jitterMs'> | null): Promise<void> {
    this.requireStarted();
    this.proxies.setLatency(faults === null ? null : parseLinkFaults(faults), 'docker');
  }

  async clockSkew(node: NodeId, offsetMs: number): Promise<void> {
    this.requireNode(node);
    if (!Number.isFinite(offsetMs)) throw new InputError(`clock offset must be a number of milliseconds, got ${offsetMs}`);
    throw new UnsupportedFault('clock faults are not supported by the docker runtime');
  }

  teardown(): Promise<void> {
    if (!this.teardownPromise) this.teardownPromise = this.doTeardown();
    return this.teardownPromise;
  }

  private async doTeardown(): Promise<void> {
    process.removeListener('exit', this.exitHook);
    if (!this.started || !this.creating) return;
    const errors: string[] = [];
    // By name rather than by handle: a container whose create call was still in flight is removed too.
    // Nodes before sandboxes, whose namespaces they are in.
    const attempt = async (f: () => Promise<void>) => {
      try {
        await f();
      } catch (e) {
        errors.push(e instanceof Error ? e.message : String(e));
      }
    };
    await Promise.all([...this.states.values()].map((st) => attempt(() => this.removeContainer(st))));
    await Promise.all([...this.states.values()].map((st) => attempt(() => this.removeSandbox(st))));
    // A proxy holds its node's namespace open; it exits when its stdin closes, and is killed to be sure.
    for (const p of this.linkProxies.splice(0)) {
      p.stop();
      signalProc(p.ref, 'SIGKILL');
    }
    await this.proxies.close();
    try {
      await this.call(this.docker.getNetwork(this.networkName).remove(), `docker network rm ${this.networkName}`);
    } catch (e) {
      if (statusOf(e) !== 404) errors.push(e instanceof Error ? e.message : String(e));
    }
    this.network = null;
    if (errors.length > 0) throw new Error(`docker runtime teardown left objects behind (\`faultline cleanup\` removes them): ${errors.join('; ')}`);
  }

  private async removeContainer(st: NodeState): Promise<void> {
    for (const c of st.captures) c.close();
    st.captures = [];
    st.generation++;
    try {
      await this.call(this.docker.getContainer(st.name).remove({ force: true, v: true }), `docker rm -f ${st.name}`);
    } catch (e) {
      if (statusOf(e) !== 404) throw e;
    }
    st.container = null;
    st.createdWith = null;
    st.running = false;
    st.paused = false;
    st.pid = null;
  }

  private async removeSandbox(st: NodeState): Promise<void> {
    try {
      await this.call(this.docker.getContainer(st.sandboxName).remove({ force: true, v: true }), `docker rm -f ${st.sandboxName}`);
    } catch (e) {
      if (statusOf(e) !== 404) throw e;
    }
    st.netPid = null;
  }

  /** On process exit only synchronous work runs: the docker CLI, best effort, if it is installed. */
  private teardownSync(): void {
    if (!this.creating || this.teardownPromise !== null) return;
    const names = [...this.states.values()].map((s) => s.name);
    const quiet = { timeout: 20_000, killSignal: 'SIGKILL' as const, stdio: 'ignore' as const };
    try {
      spawnSync('docker', ['-H', this.engineUrl, 'rm', '-f', ...names], quiet);
      spawnSync('docker', ['-H', this.engineUrl, 'rm', '-f', ...[...this.states.values()].map((s) => s.sandboxName)], quiet);
      spawnSync('docker', ['-H', this.engineUrl, 'network', 'rm', this.networkName], quiet);
    } catch {
      /* best effort: `faultline cleanup` finds the rest by label */
    }
  }

  private call<T>(p: Promise<T>, what: string): Promise<T> {
    return withTimeout(p, this.callMs, what);
  }

  private requireNode(node: NodeId): NodeState {
    const st = this.states.get(node);
    if (!st) throw new InputError(`unknown node "${node}" (nodes: ${this.nodes.join(', ')})`);
    return st;
  }

  private requireNetwork(): RunNetwork {
    if (!this.network) throw new Error('docker runtime not started');
    return this.network;
  }

  private requireStarted(): void {
    if (!this.started || this.teardownPromise !== null) throw new Error('docker runtime not started (or already torn down)');
  }
}

