/**
 * Node->node latency without netem. Inside each node's network namespace, an iptables nat REDIRECT sends the
 * node's outgoing connections to a peer's port into a proxy process in that same namespace, which holds each
 * chunk for the set delay and forwards it to the peer from the node's own address. Because the proxy's
 * traffic leaves with the node's address, the partition and loss rules (INPUT, by source address) hit it
 * exactly as they hit the node's own packets.
 *
 * The proxy runs with group 65534 (nogroup) and the REDIRECT skips that group, so the proxy's own upstream
 * connections are not redirected into itself. It keeps uid 0, so it can read the compiled script wherever
 * faultline is installed. A target process running with group nogroup would bypass the proxy: document it.
 *
 * The delay applies per TCP connection, to both directions, on the side that opened the connection; for a
 * pair of nodes with connections both ways (etcd's peer streams), each message is delayed once.
 * Connections opened before the rules exist are not redirected, which is why the proxies start before the
 * nodes do. Established connections survive a delay change; only the delay of new chunks changes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { NodeId } from '../runtime.js';
import { rngFor } from '../rng.js';
import { restoreScript, RESTORE_ARGV, type RuleSet } from './iptables.js';
import { procStartTime, type ProcRef } from './procs.js';
import type { NodeExec } from './runtime.js';

export const LINK_CHAIN = 'FAULTLINE-LAT';
/** The group the proxies run as; REDIRECT rules leave that group's connections alone. */
export const PROXY_GID = 65534;
/** Loopback ports for the proxies inside a node namespace: far from any port a target listens on. */
export const LINK_PORT_BASE = 41_000;

export interface LinkRoute {
  listenPort: number;
  host: string;
  port: number;
}

/** Routes for one node: a loopback port for each (peer, peer port). */
export function linkRoutes(peerAddrs: readonly string[], peerPorts: readonly number[]): LinkRoute[] {
  return peerAddrs.flatMap((host, j) => peerPorts.map((port, k) => ({ listenPort: LINK_PORT_BASE + j * peerPorts.length + k, host, port })));
}

/** The nat rules that send the node's connections to each route's peer into its proxy port. */
export function redirectRuleSet(routes: readonly LinkRoute[]): RuleSet {
  return {
    table: 'nat',
    chains: [LINK_CHAIN],
    rules: [
      ['-A', 'OUTPUT', '-j', LINK_CHAIN],
      ...routes.map((r) => ['-A', LINK_CHAIN, '-d', `${r.host}/32`, '-p', 'tcp', '-m', 'tcp', '--dport', String(r.port), '-m', 'owner', '!', '--gid-owner', String(PROXY_GID), '-j', 'REDIRECT', '--to-ports', String(r.listenPort)]),
    ],
  };
}

/** Install the REDIRECT rules in the node's namespace, through the runtime's exec primitive. */
export async function installRedirects(exec: NodeExec, node: NodeId, routes: readonly LinkRoute[]): Promise<void> {
  await exec(node, RESTORE_ARGV, restoreScript([redirectRuleSet(routes)]));
}

/**
 * The proxy's argument: its routes, a table of jitter draws from the run's seed (the proxy imports nothing
 * of ours, so it draws none itself) and, for a proxy that runs apart from the harness, its control file.
 */
export function linkProxySpec(seed: string, routes: readonly LinkRoute[], control?: string): string {
  const rng = rngFor(seed, 'link-latency');
  const jitter = Array.from({ length: 256 }, () => Math.floor(rng.next() * 10_000) / 10_000);
  return JSON.stringify(control === undefined ? { jitter, routes } : { jitter, routes, control });
}

/** The compiled proxy program, whether we run from dist/, from the CLI bundle (dist/cli/) or from sources (tests build dist/ first). */
export function linkProxyScript(): string {
  const here = fileURLToPath(import.meta.url);
  const dist = here.endsWith('.ts') ? join(resolve(dirname(here), '..', '..'), 'dist') : here.slice(0, here.lastIndexOf(`${sep}dist${sep}`) + 5);
  return join(dist, 'harness', 'kernel', 'link-proxy-main.js');
}

export interface LinkProxyOptions {
  /** Command prefix that runs a program inside the node's namespace: `ip netns exec NS` or `nsenter -t PID -n`. */
  enter: readonly string[];
  routes: readonly LinkRoute[];
  /** Seed for the jitter of this node's links. */
  seed: string;
  logFile: string;
  startTimeoutMs?: number;
}

/** One node's proxy process, driven over its stdin and stdout. */
export class LinkProxyProcess {
  private pending: { resolve: (line: string) => void; reject: (err: Error) => void }[] = [];
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly lines: Interface,
    readonly ref: ProcRef,
  ) {
    lines.on('line', (line) => this.pending.shift()?.resolve(line));
    child.on('exit', (code, signal) => {
      this.exited = true;
      for (const p of this.pending.splice(0)) p.reject(new Error(`link proxy (PID ${ref.pid}) exited (${signal ?? code})`));
    });
  }

  static async start(o: LinkProxyOptions): Promise<LinkProxyProcess> {
    const spec = linkProxySpec(o.seed, o.routes);
    const fd = openSync(o.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(o.enter[0], [...o.enter.slice(1), 'setpriv', `--regid=${PROXY_GID}`, '--clear-groups', process.execPath, linkProxyScript(), spec], {
        stdio: ['pipe', 'pipe', fd],
        detached: true,
      });
    } finally {
      closeSync(fd);
    }
    const pid = child.pid;
    const startTime = pid === undefined ? null : procStartTime(pid);
    if (pid === undefined || startTime === null) throw new Error(`the link latency proxy did not start; see ${o.logFile}`);
    // A proxy that already died (killed by a teardown's namespace sweep) makes writes fail with EPIPE: its
    // exit is handled through 'exit', so the pipe's own error must not crash the harness.
    child.stdin?.on('error', () => undefined);
    child.stdout?.on('error', () => undefined);
    // Neither the process nor its pipes may keep the harness alive.
    child.unref();
    (child.stdout as unknown as { unref?: () => void }).unref?.();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    const p = new LinkProxyProcess(child, createInterface({ input: child.stdout! }), { pid, startTime });
    const ready = await p.nextLine(o.startTimeoutMs ?? 10_000, 'start');
    if (ready !== 'ready') throw new Error(`the link latency proxy said "${ready}" instead of ready; see ${o.logFile}`);
    return p;
  }

  async setDelay(latencyMs: number, jitterMs: number, timeoutMs = 5000): Promise<void> {
    if (this.exited) throw new Error(`link proxy (PID ${this.ref.pid}) is not running`);
    const answer = this.nextLine(timeoutMs, 'set a delay');
    this.child.stdin!.write(JSON.stringify({ latencyMs, jitterMs }) + '\n');
    const line = await answer;
    if (line !== 'ok') throw new Error(`link proxy refused the delay: ${line}`);
  }

  /** Close its stdin (it exits by itself); the runtime's namespace sweep ends it if it does not. */
  stop(): void {
    this.child.stdin?.end();
    this.lines.close();
  }

  private nextLine(timeoutMs: number, what: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        // Forget this waiter, so a late answer is not taken as the answer to the next request.
        this.pending = this.pending.filter((p) => p !== entry);
        reject(new Error(`link proxy (PID ${this.ref.pid}) did not ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      const entry = {
        resolve: (l: string) => {
          clearTimeout(timer);
          resolve(l);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.pending.push(entry);
    });
  }
}
