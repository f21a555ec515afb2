/**
 * The contract of a kernel runtime: a runtime whose nodes are real processes on a real Linux network stack
 * (netns: namespaces on this machine; docker: containers on a local engine; later ssh: remote hosts), and
 * whose faults are made with the kernel rather than by routing messages (the sim runtime).
 *
 * A kernel runtime is a `Runtime` (start, kill, restart, pause, resume, partition, heal, link faults, clock,
 * teardown) plus four things targets and shared helpers need:
 *
 *  - addresses: `addressOf(node)` on the cluster's own network, `nodeAddress(node, port)` where a client in the
 *    harness connects (a latency proxy or the node itself), and `addressMap(port)` for clusters that tell
 *    clients node addresses (Redis Sentinel);
 *  - `exec(node, argv, input)`: run one command in the node's network namespace (or on its host) and return
 *    its stdout. This is the one primitive the shared helpers of this folder are written against: firewall
 *    rule sets (iptables.ts, firewall.ts), link-latency redirects (link-latency.ts);
 *  - `setClientLatency`, delay on client links (client-proxies.ts), since most kernels here have no netem;
 *  - `isRunning(node)`, for targets that pick a live node (a failover).
 *
 * Every kernel runtime takes the same `KernelRuntimeOptions` and, above all, the same `Launcher`, so a target
 * describes its node processes once and runs on any of them. What a runtime shares with the others lives in
 * this folder (rules as data, process supervision by PID, latency proxies, libfaketime); what is its own
 * (how to create a namespace, a container or a session) stays in its folder.
 *
 * To add one: implement this interface in harness/<name>/runtime.ts, build its firewall with NodeFirewalls
 * over its own `exec`, declare the capabilities it has (`static supports`, harness/runtime.ts: CAPABILITIES)
 * and list them in harness/runtimes.ts, add its kind to `Runtime['kind']` (and RUNTIMES in
 * histories/run-record.ts), and choose it in harness/real-runtime.ts. The fault packages (harness/faults/)
 * then work on it unchanged, and the CLI refuses the faults it lacks before a run starts.
 */
import type { Logger } from 'pino';
import type { LinkFaults, NodeId, Runtime } from '../runtime.js';
import type { NodeAddress } from './client-proxies.js';

export type { NodeAddress } from './client-proxies.js';

/** Run `argv` in the node's network namespace (or on its host), with `input` on stdin; resolves with stdout. */
export type NodeExec = (node: NodeId, argv: readonly string[], input?: string) => Promise<string>;

export interface KernelRuntime extends Runtime {
  readonly kind: Exclude<Runtime['kind'], 'sim'>;
  /** The node's address on the cluster's network. Throws before start(). */
  addressOf(node: NodeId): string;
  /** Where a client in the harness process reaches `port` on `node`. */
  nodeAddress(node: NodeId, port?: number): NodeAddress;
  /** "nodeAddr:port" -> client-facing address, for clients that the cluster tells node addresses to. */
  addressMap(port: number): Record<string, { host: string; port: number }>;
  isRunning(node: NodeId): boolean;
  /** Delay on client->node links (both directions), or none with null. */
  setClientLatency(faults: Pick<LinkFaults, 'latencyMs' | 'jitterMs'> | null): Promise<void>;
  exec: NodeExec;
  /** The path the node runs for `command` where a host may name its own (ssh: a host's `bin.<target>`). */
  programOf?(node: NodeId, command: string): string;
  /**
   * Run a short program where the node's program lives and resolve with its stdout: on the node's host (ssh),
   * inside the node's container (docker). Absent where that is this machine's filesystem (netns).
   */
  runProgram?(node: NodeId, argv: readonly string[]): Promise<string>;
}

/** What the launcher is told about the node it starts. */
export interface NodeContext {
  index: number;
  addr: string;
  /** Every node's address, this node's included (handy for initial-cluster style flags). */
  peers: Record<NodeId, string>;
  /** The node's own data folder; kept across kill/restart. */
  dataDir: string;
  /** Where the node's output goes (a spec may name another file for a second process). */
  logFile: string;
  /**
   * True when dataDir is on another machine (the ssh runtime): the launcher must not write it with node:fs,
   * and gives the files it needs as `files` in its spec instead.
   */
  remote?: boolean;
}

/** A file a node needs before its process starts (a config file), written by the runtime where the node runs. */
export interface LaunchFile {
  path: string;
  content: string;
  /** Write it only where it does not exist yet (a file the target rewrites itself, such as Sentinel's). */
  keep?: boolean;
}

export interface LaunchSpec {
  /** Distinguishes several processes of one node (e.g. "redis", "sentinel"); defaults to the command. */
  name?: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  logFile?: string;
  /** 'faketime' when the binary is dynamically linked and honours LD_PRELOAD, so clock faults can apply. */
  clock?: 'faketime' | 'none';
  /** Files to write before the start, on a remote host only (ctx.remote); local runtimes leave them to the launcher. */
  files?: LaunchFile[];
}

/**
 * Called at every (re)start of a node. May return several processes; kill, pause and restart act on all of
 * a node's processes together, as a machine crash would.
 */
export type Launcher = (node: NodeId, ctx: NodeContext) => LaunchSpec | LaunchSpec[];

/** What every kernel runtime is given. */
export interface KernelRuntimeOptions {
  runId: string;
  nodes: readonly NodeId[];
  launch: Launcher;
  /** Node data folders are `<dataDir>/<node>`; logs are `<logDir>/<node>.log`. */
  dataDir: string;
  logDir: string;
  /** A private /24 such as "10.213.7.0/24"; by default a free one of the runtime's own range. */
  subnet?: string;
  /** Node ports that clients use: each gets a loopback proxy per node, through which latency is added. */
  proxyPorts?: readonly number[];
  /**
   * TCP ports the nodes use to talk to each other (etcd's 2380). When given (and, on netns, the kernel has
   * no netem), each node's connections to these ports go through a latency proxy in its namespace, so
   * inter-node latency faults work.
   */
  peerPorts?: readonly number[];
  /** Seed for the jitter of node links. */
  seed?: string;
  /**
   * The node's data files the file fault may damage (given the node's data folder); without it the runtime
   * refuses that fault. The fault picks the newest of them.
   */
  dataFiles?: (nodeDir: string) => string[];
  logger?: Logger;
}
