/**
 * The ssh runtime: each node on a host of its own, reached over SSH (one reused connection per host), as
 * Jepsen does it. Node processes start under setsid with their PID and start time recorded on the host; kill
 * and pause signal that PID's process group; partitions and loss are the same iptables rule sets as netns
 * (kernel/iptables.ts, through kernel/firewall.ts) applied on each host with iptables-restore, in faultline's
 * own chains only; client-link latency goes through loopback proxies here; clock skew through libfaketime on
 * the host where the target honours it.
 *
 * Undoing faults (heal, loss off, resume) and teardown retry a host that does not answer for up to the hosts
 * file's `retryForMs`, then report exactly what was left on which host; `leftovers()` lists it after teardown
 * and `faultline cleanup --hosts FILE` removes it later.
 */
import { hostname } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InputError } from '../../histories/errors.js';
import { parseLinkFaults, UnsupportedFault, type Capability, type Grudge, type LinkFaults, type NodeId } from '../runtime.js';
import type { KernelRuntime, KernelRuntimeOptions, LaunchSpec, NodeContext } from '../kernel/runtime.js';
import { ClientProxies, type NodeAddress } from '../kernel/client-proxies.js';
import { NodeFirewalls } from '../kernel/firewall.js';
import { faketimeEnv, offsetText } from '../kernel/clock.js';
import { procStartTime } from '../kernel/procs.js';
import { installRedirects, linkProxyScript, linkProxySpec, linkRoutes, PROXY_GID } from '../kernel/link-latency.js';
import { sleep } from '../time.js';
import { hostLabel, type Host, type HostsFile } from './hosts.js';
import { HostUnreachable, SshPool, sq } from './pool.js';
import { launchScript, listRefsScript, preflightScript, removeChainsScript, runPaths, signalScript, type RunPaths } from './remote.js';
import { kernelLinkFaults } from '../kernel/link-faults.js';
import { copyFilesScript, netemApplyScript, netemRemoveScript, nodeMajor, parseProbe, probeScript, rootQdiscProblem, setProxyDelayScript } from './link-latency.js';

export interface SshRuntimeOptions extends KernelRuntimeOptions {
  hosts: HostsFile;
  /**
   * The target's program, by name, so a host's `bin.<name>` in the hosts file can replace its Debian path.
   * `required: false` when the target finds it on the host itself (postgres: any /usr/lib/postgresql/<ver>),
   * so its absence at the Debian path is not refused here.
   */
  binary?: { name: string; path: string; required?: boolean };
  /** Largest part of each node log copied back at the end (its tail), in bytes. */
  logCopyMax?: number;
}

interface RemoteProc {
  name: string;
  pid: number;
  startTime: string;
  clock: 'faketime' | 'none';
  logFile: string;
  /** What started it: start-stop-daemon where the host has it, else setsid. */
  supervisor: string;
}

interface NodeState {
  host: Host;
  procs: RemoteProc[];
  /** Every log file any launch of this node wrote, to copy back at the end. */
  logs: Set<string>;
  running: boolean;
  paused: boolean;
  clockFile: string | null;
  /** How node->node latency is made on this host, once a run asked for it. */
  link: LinkMode | null;
}

type LinkMode = { kind: 'netem'; devPeers: Map<string, string[]>; applied: boolean } | { kind: 'proxy'; control: string; proc: RemoteProc };

/** One line of what could not be undone, and where. */
export interface Leftover {
  node: NodeId;
  host: string;
  what: string;
}

const TOOLS = ['iptables', 'iptables-save', 'iptables-restore', 'setsid', 'sed', 'cut', 'readlink'];

export class SshRuntime implements KernelRuntime {
  readonly kind = 'ssh' as const;
  // 'latency' needs, on every host, netem or node for the link proxies, and a target that names its peer
  // ports: checked at start, refused (UnsupportedFault, naming the hosts) at the fault otherwise.
  static readonly supports: readonly Capability[] = ['partition', 'kill', 'pause', 'loss', 'latency', 'clock'];
  readonly supports = SshRuntime.supports;
  readonly nodes: readonly NodeId[];
  readonly pool: SshPool;
  private readonly opts: SshRuntimeOptions;
  private readonly states = new Map<NodeId, NodeState>();
  private readonly proxies = new ClientProxies();
  private readonly firewalls: NodeFirewalls;
  private readonly paths: Map<NodeId, RunPaths> = new Map();
  private started = false;
  private firewallsInstalled = new Set<NodeId>();
  /** Nodes whose host this run has changed (its run folder made): only those are undone at teardown. */
  private readonly touched = new Set<NodeId>();
  private teardownPromise: Promise<void> | null = null;
  private readonly left: Leftover[] = [];
  /** Why node->node latency cannot be set on this run (null when it can). */
  private linkUnavailable: string | null = 'the target names no peer ports';

  constructor(opts: SshRuntimeOptions) {
    if (opts.nodes.length === 0) throw new InputError('ssh runtime needs at least one node');
    if (opts.nodes.length > opts.hosts.hosts.length) {
      throw new InputError(`${opts.nodes.length} nodes need ${opts.nodes.length} hosts; ${opts.hosts.file} lists ${opts.hosts.hosts.length} (use --nodes ${opts.hosts.hosts.length} or add hosts)`);
    }
    if (!/^[A-Za-z0-9._-]+$/.test(opts.runId)) throw new InputError(`run id "${opts.runId}" cannot name a folder on a host`);
    this.opts = opts;
    this.nodes = [...opts.nodes];
    this.pool = new SshPool(opts.hosts);
    this.nodes.forEach((n, i) => {
      const host = opts.hosts.hosts[i];
      this.states.set(n, { host, procs: [], logs: new Set(), running: false, paused: false, clockFile: null, link: null });
      this.paths.set(n, runPaths(host.dir, opts.runId));
    });
    this.firewalls = new NodeFirewalls({
      nodes: this.nodes,
      addressOf: (n) => this.addressOf(n),
      exec: this.firewallExec,
      ready: (n) => this.firewallsInstalled.has(n),
    });
  }

  /** Rule writes retry a host that stops answering (a heal must get through if the host comes back), and are noted. */
  private readonly firewallExec = async (n: NodeId, argv: readonly string[], input?: string): Promise<string> => {
    const out = await this.retrying(n, 'write its firewall rules', () => this.exec(n, argv, input));
    // What is in force on the host now, so a teardown that cannot reach it can say which rules remain.
    if (input !== undefined) for (const line of input.split('\n')) this.noteRule(n, line);
    return out;
  };

  /** Rules of ours last written to each node's host, by chain (a `-F` empties one). */
  private readonly rulesInForce = new Map<NodeId, Map<string, string[]>>();

  private noteRule(node: NodeId, line: string): void {
    const chains = this.rulesInForce.get(node) ?? new Map<string, string[]>();
    this.rulesInForce.set(node, chains);
    const m = /^-(F|A) (FAULTLINE-[A-Z]+)\b/.exec(line);
    if (!m) return;
    if (m[1] === 'F') chains.set(m[2], []);
    else chains.set(m[2], [...(chains.get(m[2]) ?? []), line]);
  }

  hostOf(node: NodeId): Host {
    return this.requireNode(node).host;
  }

  /** The run's folders on the node's host. */
  pathsOf(node: NodeId): RunPaths {
    this.requireNode(node);
    return this.paths.get(node)!;
  }

  addressOf(node: NodeId): string {
    return this.requireNode(node).host.nodeAddress;
  }

  nodeAddress(node: NodeId, port?: number): NodeAddress {
    return this.proxies.address(node, this.addressOf(node), port);
  }

  addressMap(port: number): Record<string, { host: string; port: number }> {
    return this.proxies.addressMap(this.nodes, port, (n) => this.addressOf(n));
  }

  isRunning(node: NodeId): boolean {
    return this.requireNode(node).running;
  }

  /** PIDs of the node's processes on its host, as recorded at launch. */
  pidsOf(node: NodeId): number[] {
    return this.requireNode(node).procs.map((p) => p.pid);
  }

  /** Run argv on the node's host (in its network namespace: the host's own); resolves with stdout. */
  readonly exec = (node: NodeId, argv: readonly string[], input?: string): Promise<string> =>
    this.pool.run(this.hostOf(node), argv.map(sq).join(' '), { input });

  private sh(node: NodeId, script: string, input?: string, timeoutMs?: number): Promise<string> {
    return this.pool.run(this.hostOf(node), script, { input, timeoutMs });
  }

  /** A script that waits on the host up to waitMs gets that long on top of the command timeout. */
  private shWaiting(node: NodeId, script: string, waitMs: number): Promise<string> {
    return this.sh(node, script, undefined, this.opts.hosts.commandTimeoutMs + waitMs);
  }

  /** Run `fn` until it succeeds, retrying while the host is unreachable, for up to retryForMs. */
  private async retrying<T>(node: NodeId, what: string, fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.opts.hosts.retryForMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!(err instanceof HostUnreachable) || Date.now() >= deadline) throw err;
        this.opts.logger?.warn({ node, what, attempt, err: err.message }, 'host unreachable; retrying');
        await sleep(Math.min(1000, Math.max(0, deadline - Date.now())));
      }
    }
  }

  /** Run argv on the node's host; resolves with stdout. */
  runProgram(node: NodeId, argv: readonly string[]): Promise<string> {
    return this.exec(node, argv);
  }

  programOf(node: NodeId, command: string): string {
    return this.programFor(this.hostOf(node), command);
  }

  private programFor(host: Host, command: string): string {
    const b = this.opts.binary;
    if (b && command === b.path && host.bin[b.name]) return host.bin[b.name];
    return command;
  }

  async start(): Promise<void> {
    if (this.started) throw new Error(`ssh runtime ${this.opts.runId} already started`);
    this.started = true;
    // Refuse before changing anything on any host: every host must pass.
    const problems = await Promise.all(
      this.nodes.map(async (n) => {
        const st = this.requireNode(n);
        const b = this.opts.binary;
        const programs = b && (b.required !== false || st.host.bin[b.name]) ? [this.programFor(st.host, b.path)] : [];
        try {
          const out = await this.sh(n, preflightScript({ programs, needTools: TOOLS }));
          return out.trim() ? out.trim().split('\n').map((l) => `${hostLabel(st.host)}: ${l}`) : [];
        } catch (err) {
          if (err instanceof InputError) throw err;
          return [`${(err as Error).message}`];
        }
      }),
    );
    const all = problems.flat();
    if (all.length > 0) throw new InputError(`the ssh runtime will not run on these hosts:\n  ${all.join('\n  ')}`);
    const owner = JSON.stringify({ host: hostname(), pid: process.pid, startTime: procStartTime(process.pid) ?? '', runId: this.opts.runId, createdAt: new Date().toISOString() });
    await Promise.all(
      this.nodes.map(async (n) => {
        const p = this.pathsOf(n);
        this.touched.add(n);
        await this.sh(n, `mkdir -p ${sq(p.data)} ${sq(p.logs)} ${sq(p.pids)} && cat > ${sq(p.root + '/owner')}`, owner + '\n');
        await this.firewalls.install(n);
        this.firewallsInstalled.add(n);
      }),
    );
    // Before any node starts: a connection opened before its REDIRECT rule exists would bypass the proxy.
    if ((this.opts.peerPorts ?? []).length > 0) await this.setupLinkLatency(this.opts.peerPorts!);
    await this.proxies.open(this.nodes, this.opts.proxyPorts ?? [], (n) => this.addressOf(n));
    await Promise.all(this.nodes.map((n) => this.launchNode(n)));
    this.opts.logger?.info({ runId: this.opts.runId, hosts: this.nodes.map((n) => hostLabel(this.hostOf(n))), acceptedNewKeys: [...this.pool.acceptedNew] }, 'ssh runtime up');
  }

  private nodeContext(node: NodeId): NodeContext {
    const p = this.pathsOf(node);
    const peers: Record<NodeId, string> = {};
    for (const n of this.nodes) peers[n] = this.addressOf(n);
    return { index: this.nodes.indexOf(node), addr: this.addressOf(node), peers, dataDir: `${p.data}/${node}`, logFile: `${p.logs}/${node}.log`, remote: true };
  }

  private async launchNode(node: NodeId): Promise<void> {
    const st = this.requireNode(node);
    const ctx = this.nodeContext(node);
    const raw = this.opts.launch(node, ctx);
    const specs: LaunchSpec[] = Array.isArray(raw) ? raw : [raw];
    if (specs.length === 0) throw new Error(`launcher returned no process for node ${node}`);
    st.paused = false;
    const procs: RemoteProc[] = [];
    for (const spec of specs) {
      await this.writeFiles(node, spec);
      const name = (spec.name ?? spec.command.split('/').pop() ?? 'proc').replace(/[^A-Za-z0-9_-]/g, '_');
      const clock = spec.clock ?? 'none';
      const env: Record<string, string> = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', ...spec.env };
      if (clock === 'faketime') {
        const lib = st.host.faketime;
        const has = await this.sh(node, `[ -e ${sq(lib)} ] && echo yes || echo no`);
        if (has.trim() === 'yes') {
          st.clockFile ??= `${ctx.dataDir}/.faketime`;
          await this.sh(node, `mkdir -p ${sq(ctx.dataDir)} && [ -e ${sq(st.clockFile)} ] || echo +0 > ${sq(st.clockFile)}`);
          Object.assign(env, faketimeEnv(st.clockFile, lib));
        }
      }
      const logFile = spec.logFile ?? ctx.logFile;
      st.logs.add(logFile);
      procs.push({
        ...(await this.startProcess(node, { name, command: this.programFor(st.host, spec.command), args: spec.args, env, cwd: ctx.dataDir, logFile, mkdirs: [ctx.dataDir] })),
        clock,
      });
    }
    st.procs = procs;
    st.running = true;
  }

  /** Start one process on the node's host under the host's supervisor (remote.ts), its PID recorded there. */
  private async startProcess(
    node: NodeId,
    o: { name: string; command: string; args: readonly string[]; env: Record<string, string>; cwd: string; logFile: string; mkdirs: readonly string[]; group?: number },
  ): Promise<RemoteProc> {
    const st = this.requireNode(node);
    // The script waits up to 10 s for the program to be running.
    const out = await this.shWaiting(node, launchScript({ ...o, pidDir: this.pathsOf(node).pids, mkdirs: [...o.mkdirs, o.logFile.slice(0, o.logFile.lastIndexOf('/'))] }), 10_000);
    const m = /^(\d+) (\d+) (\S+)\s*$/.exec(out);
    if (!m) throw new Error(`${hostLabel(st.host)}: ${o.name} started but its PID could not be read (${out.trim().slice(0, 100)})`);
    return { name: o.name, pid: Number(m[1]), startTime: m[2], clock: 'none', logFile: o.logFile, supervisor: m[3] };
  }

  /** The node's processes on its host as recorded at launch, with the supervisor that started each. */
  procsOf(node: NodeId): { name: string; pid: number; supervisor: string }[] {
    return this.requireNode(node).procs.map((p) => ({ name: p.name, pid: p.pid, supervisor: p.supervisor }));
  }

  /** How node->node latency is made on the node's host: netem, the link proxy (with its PID), or null. */
  linkModeOf(node: NodeId): { kind: 'netem' } | { kind: 'proxy'; pid: number } | null {
    const l = this.requireNode(node).link;
    if (l === null) return null;
    return l.kind === 'netem' ? { kind: 'netem' } : { kind: 'proxy', pid: l.proc.pid };
  }

  /**
   * Ask every host what it offers for node->node latency (link-latency.ts) and set it up: netem hosts need
   * nothing until a delay is set; proxy hosts get the proxy program, the REDIRECT rules and a running proxy.
   * A host with neither leaves latency unavailable (the other faults run on).
   */
  private async setupLinkLatency(peerPorts: readonly number[]): Promise<void> {
    const nodeProgram = (n: NodeId) => this.hostOf(n).bin.node ?? 'node';
    const probes = await Promise.all(
      this.nodes.map(async (n) => ({ n, p: parseProbe(await this.sh(n, probeScript(this.nodes.filter((x) => x !== n).map((x) => this.addressOf(x)), nodeProgram(n)))) })),
    );
    const problems: string[] = [];
    const plan = new Map<NodeId, 'netem' | 'proxy'>();
    for (const { n, p } of probes) {
      const label = hostLabel(this.hostOf(n));
      const peers = this.nodes.filter((x) => x !== n).map((x) => this.addressOf(x));
      const devs = [...new Set(peers.map((a) => p.devs.get(a) ?? ''))];
      const qdiscProblem = devs.map((d) => (d === '' ? 'no route to a peer' : rootQdiscProblem(d, p.roots.get(d)))).find((x) => x !== null) ?? null;
      if (this.opts.hosts.linkLatency === 'auto' && p.netem && qdiscProblem === null) {
        const devPeers = new Map<string, string[]>();
        for (const a of peers) devPeers.set(p.devs.get(a)!, [...(devPeers.get(p.devs.get(a)!) ?? []), a]);
        this.requireNode(n).link = { kind: 'netem', devPeers, applied: false };
        plan.set(n, 'netem');
      } else if (p.node !== null && nodeMajor(p.node.version) >= 18) {
        plan.set(n, 'proxy');
      } else {
        const netem = !p.netem ? 'no netem' : this.opts.hosts.linkLatency === 'proxy' ? 'netem not wanted (linkLatency: proxy)' : `netem unusable: ${qdiscProblem}`;
        const node = p.node === null ? `no ${nodeProgram(n)} for the link proxies (install Debian's nodejs, or give bin.node)` : `node ${p.node.version} at ${p.node.path} is older than 18`;
        problems.push(`${label}: ${netem}, and ${node}`);
      }
    }
    if (problems.length > 0) {
      this.linkUnavailable = problems.join('; ');
      this.opts.logger?.warn({ why: this.linkUnavailable }, 'node-to-node latency is not available on these hosts');
      return;
    }
    const dir = dirname(linkProxyScript());
    const files = [
      { name: 'package.json', content: '{"type":"module"}\n' },
      { name: 'latency-proxy.js', content: readFileSync(join(dir, 'latency-proxy.js'), 'utf8') },
      { name: 'link-proxy-main.js', content: readFileSync(join(dir, 'link-proxy-main.js'), 'utf8') },
    ];
    await Promise.all(
      [...plan].filter(([, k]) => k === 'proxy').map(async ([n]) => {
        const st = this.requireNode(n);
        const p = this.pathsOf(n);
        const proxyDir = `${p.root}/proxy`;
        const control = `${proxyDir}/delay`;
        await this.sh(n, copyFilesScript(proxyDir, files));
        const routes = linkRoutes(this.nodes.filter((x) => x !== n).map((x) => this.addressOf(x)), peerPorts);
        await installRedirects(this.firewallExec, n, routes);
        const logFile = `${p.logs}/${n}.link-proxy.log`;
        st.logs.add(logFile);
        const proc = await this.startProcess(n, {
          name: 'link-proxy',
          command: probes.find((x) => x.n === n)!.p.node!.path,
          args: [`${proxyDir}/link-proxy-main.js`, linkProxySpec(`${this.opts.seed ?? this.opts.runId}/${n}`, routes, control)],
          env: { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8' },
          cwd: proxyDir,
          logFile,
          mkdirs: [],
          group: PROXY_GID,
        });
        st.link = { kind: 'proxy', control, proc };
        // Once it applies its first setting it listens on every route.
        await this.shWaiting(n, setProxyDelayScript(control, 0, 0, 15_000), 15_000);
      }),
    );
    this.linkUnavailable = null;
    this.opts.logger?.info({ modes: Object.fromEntries(this.nodes.map((n) => [n, this.requireNode(n).link?.kind])) }, 'node-to-node latency ready');
  }

  /** Set node->node delay on every host (0 removes faultline's qdisc; a proxy is set to pass straight through). */
  private async setLinkDelay(latencyMs: number, jitterMs: number): Promise<void> {
    await Promise.all(
      this.nodes.map(async (n) => {
        const l = this.requireNode(n).link;
        if (l === null) return;
        const on = latencyMs > 0 || jitterMs > 0;
        if (l.kind === 'proxy') {
          const undo = !on;
          const set = () => this.shWaiting(n, setProxyDelayScript(l.control, latencyMs, jitterMs), 5000);
          await (undo ? this.retrying(n, 'take the link delay off', set) : set());
        } else if (on) {
          await this.sh(n, netemApplyScript(l.devPeers, latencyMs, jitterMs));
          l.applied = true;
        } else if (l.applied) {
          await this.retrying(n, 'remove its netem qdisc', () => this.sh(n, netemRemoveScript()));
          l.applied = false;
        }
      }),
    );
  }

  /** Files a launch spec asks for, written on the host (those marked keep only where absent). */
  private async writeFiles(node: NodeId, spec: LaunchSpec): Promise<void> {
    const files = spec.files ?? [];
    for (const f of files) {
      const dir = f.path.slice(0, f.path.lastIndexOf('/')) || '/';
      const write = `mkdir -p ${sq(dir)} && cat > ${sq(f.path)}`;
      await this.sh(node, f.keep ? `if [ -e ${sq(f.path)} ]; then cat > /dev/null; else ${write}; fi` : write, f.content);
    }
  }

  private async signal(node: NodeId, signal: 'KILL' | 'STOP' | 'CONT', wait: boolean): Promise<void> {
    const st = this.requireNode(node);
    if (st.procs.length === 0) return;
    const out = await this.sh(node, signalScript(st.procs, signal, wait));
    if (/alive/.test(out)) throw new Error(`${hostLabel(st.host)}: ${node} still runs after SIGKILL: ${out.trim().replace(/\n/g, '; ')}`);
  }

  async kill(node: NodeId): Promise<void> {
    const st = this.requireNode(node);
    await this.signal(node, 'KILL', true);
    st.running = false;
    st.paused = false;
  }

  async restart(node: NodeId): Promise<void> {
    const st = this.requireNode(node);
    this.requireStarted();
    if (st.running) return;
    await this.retrying(node, 'restart the node', () => this.launchNode(node));
  }

  async pause(node: NodeId): Promise<void> {
    await this.signal(node, 'STOP', false);
    this.requireNode(node).paused = true;
  }

  async resume(node: NodeId): Promise<void> {
    await this.retrying(node, 'resume the node', () => this.signal(node, 'CONT', false));
    this.requireNode(node).paused = false;
  }

  async partition(grudge: Grudge): Promise<void> {
    this.requireStarted();
    await this.firewalls.partition(grudge);
  }

  async heal(): Promise<void> {
    this.requireStarted();
    await this.firewalls.heal();
  }

  async setLinkFaults(faults: LinkFaults | null): Promise<void> {
    this.requireStarted();
    const f = kernelLinkFaults(faults);
    const latency = f.latencyMs ?? 0;
    const jitter = f.jitterMs ?? 0;
    // Refused before anything changes.
    if ((latency > 0 || jitter > 0) && this.linkUnavailable !== null) {
      throw new UnsupportedFault(`node-to-node latency is not available on these hosts: ${this.linkUnavailable}; client-link latency is (setClientLatency)`);
    }
    await this.firewalls.setLoss(f.loss ?? 0);
    if (this.linkUnavailable === null) {
      await this.setLinkDelay(latency, jitter);
      // A delay on a host's links slows its clients too, as netem on a whole device would.
      if (this.proxies.active) this.proxies.setLatency(latency > 0 || jitter > 0 ? { latencyMs: latency, jitterMs: jitter } : null, 'ssh');
    }
  }

  async setClientLatency(faults: Pick<LinkFaults, 'latencyMs' | 'jitterMs'> | null): Promise<void> {
    this.requireStarted();
    this.proxies.setLatency(faults === null ? null : parseLinkFaults(faults), 'ssh');
  }

  async clockSkew(node: NodeId, offsetMs: number): Promise<void> {
    const st = this.requireNode(node);
    const text = offsetText(offsetMs);
    if (st.clockFile === null || !st.procs.some((p) => p.clock === 'faketime')) {
      throw new UnsupportedFault(
        st.procs.some((p) => p.clock === 'faketime')
          ? `clock faults need libfaketime on ${hostLabel(st.host)} (none at ${st.host.faketime}; install Debian's libfaketime or set faketime: in the hosts file)`
          : 'clock faults are not supported for this target',
      );
    }
    await this.retrying(node, 'set its clock', () => this.sh(node, `cat > ${sq(st.clockFile!)}`, text));
  }

  /** What teardown could not undo, host by host (empty after a clean teardown). */
  leftoverItems(): Leftover[] {
    return [...this.left];
  }

  leftovers(): string[] {
    if (this.left.length === 0) return [];
    return [
      ...this.left.map((l) => `${l.host}: ${l.what}`),
      `undo it once the hosts answer: faultline cleanup --hosts ${this.opts.hosts.file} --run ${this.opts.runId}`,
    ];
  }

  teardown(): Promise<void> {
    if (!this.teardownPromise) this.teardownPromise = this.doTeardown();
    return this.teardownPromise;
  }

  private async doTeardown(): Promise<void> {
    if (!this.started) return;
    await this.proxies.close();
    await Promise.all(this.nodes.map((n) => this.teardownNode(n)));
    this.pool.close();
    if (this.left.length > 0) {
      const lines = this.left.map((l) => `${l.host} (${l.node}): ${l.what}`);
      throw new Error(`teardown could not undo everything; run \`faultline cleanup --hosts ${this.opts.hosts.file} --run ${this.opts.runId}\` once the hosts answer:\n  ${lines.join('\n  ')}`);
    }
  }

  private async teardownNode(node: NodeId): Promise<void> {
    const st = this.requireNode(node);
    if (!this.touched.has(node)) return;
    const p = this.pathsOf(node);
    const label = hostLabel(st.host);
    const leave = (what: string) => this.left.push({ node, host: label, what });
    let unreachable: string | null = null;
    const step = async (what: string, fn: () => Promise<void>): Promise<boolean> => {
      // A host that stayed unreachable through one step's retries is not waited for again by the next.
      if (unreachable !== null) {
        leave(`${what}: not attempted, the host was unreachable (${unreachable})`);
        return false;
      }
      try {
        await this.retrying(node, what, fn);
        return true;
      } catch (err) {
        const why = (err as Error).message.replace(`${label}: `, '');
        if (err instanceof HostUnreachable) unreachable = why;
        leave(`${what}: ${why}`);
        return false;
      }
    };
    // Every process this run recorded on the host, including those of earlier launches and of a crash.
    const killed = await step(`kill the node's processes (${st.procs.map((x) => `${x.name} PID ${x.pid}`).join(', ') || 'none running'})`, async () => {
      const refs = await this.sh(node, listRefsScript(p.pids));
      const all = refs
        .split('\n')
        .map((l) => /^\S+ (\d+) (\d+)$/.exec(l.trim()))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ pid: Number(m[1]), startTime: m[2] }));
      const out = await this.sh(node, signalScript([...st.procs, ...all], 'KILL', true));
      if (/alive/.test(out)) throw new Error(`still running: ${out.trim().replace(/\n/g, '; ')}`);
    });
    st.running = false;
    st.paused = false;
    const inForce = [...(this.rulesInForce.get(node)?.values() ?? [])].flat();
    const rulesNote = inForce.length > 0 ? ` (in force: ${inForce.join('; ')})` : ' (they hold no rule)';
    const unchained = await step(`remove the FAULTLINE-* iptables chains and their jumps${rulesNote}`, async () => {
      const leftRules = await this.sh(node, removeChainsScript());
      if (leftRules.trim()) throw new Error(`rules remain: ${leftRules.trim().replace(/\n/g, '; ')}`);
    });
    await step(`copy the node's logs into ${this.opts.logDir}`, () => this.copyLogs(node));
    if (killed && unchained) {
      await step(`remove the run folder ${p.root}`, async () => {
        await this.sh(node, `rm -rf ${sq(p.root)}`);
      });
    } else {
      leave(`the run folder ${p.root} (pidfiles for cleanup) was kept`);
    }
  }

  private async copyLogs(node: NodeId): Promise<void> {
    const st = this.requireNode(node);
    mkdirSync(this.opts.logDir, { recursive: true });
    const cap = this.opts.logCopyMax ?? 16 * 1024 * 1024;
    for (const remote of st.logs) {
      const out = await this.pool.run(st.host, `[ -f ${sq(remote)} ] && tail -c ${cap} ${sq(remote)} || true`, { timeoutMs: 60_000 });
      const local = join(this.opts.logDir, remote.slice(remote.lastIndexOf('/') + 1));
      writeFileSync(local, out);
    }
  }

  private requireNode(node: NodeId): NodeState {
    const st = this.states.get(node);
    if (!st) throw new InputError(`unknown node "${node}" (nodes: ${this.nodes.join(', ')})`);
    return st;
  }

  private requireStarted(): void {
    if (!this.started) throw new Error('ssh runtime not started');
  }
}
