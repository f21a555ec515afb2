/**
 * How one NATS node is started: Debian's nats-server (2.9) with JetStream on, its file store in the node's
 * data folder (kept across kill and restart), and a route to every other node. The config is rewritten at
 * every start; it carries nothing the server changes.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Launcher } from '../../harness/kernel/runtime.js';
import type { NodeId } from '../../harness/runtime.js';

export const NATS_BIN = '/usr/sbin/nats-server';
export const CLIENT_PORT = 4222;
export const ROUTE_PORT = 6222;
/** The HTTP monitoring port: `/jsz` tells what this server's own replica of each stream holds. */
export const MONITOR_PORT = 8222;
export const CLUSTER_NAME = 'faultline';

/** Where a node keeps its JetStream file store (the file fault truncates block files under it). */
export function storeDir(nodeDir: string): string {
  return join(nodeDir, 'jetstream');
}

/**
 * A node's JetStream message block files (`<store>/jetstream/<account>/streams/<stream>/msgs/<n>.blk`), for
 * the file fault. Read from disk each time: blocks come and go as streams grow.
 */
export function blockFiles(nodeDir: string): string[] {
  const root = join(storeDir(nodeDir), 'jetstream');
  const out: string[] = [];
  const list = (d: string): string[] => {
    try {
      return readdirSync(d);
    } catch {
      return [];
    }
  };
  for (const account of list(root)) {
    for (const stream of list(join(root, account, 'streams'))) {
      const msgs = join(root, account, 'streams', stream, 'msgs');
      for (const f of list(msgs)) if (f.endsWith('.blk')) out.push(join(msgs, f));
    }
  }
  return out;
}

export function natsConf(node: NodeId, addr: string, peers: Record<NodeId, string>, nodeDir: string, listenAll: boolean): string {
  const host = listenAll ? '0.0.0.0' : addr;
  const routes = Object.entries(peers)
    .filter(([n]) => n !== node)
    .map(([, a]) => `    "nats-route://${a}:${ROUTE_PORT}"`);
  return [
    `# faultline nats node ${node}`,
    `server_name: "${node}"`,
    `host: "${host}"`,
    `port: ${CLIENT_PORT}`,
    `http: "${host}:${MONITOR_PORT}"`,
    'jetstream {',
    `  store_dir: "${storeDir(nodeDir)}"`,
    '  max_memory_store: 64MB',
    '  max_file_store: 1GB',
    '}',
    'cluster {',
    `  name: "${CLUSTER_NAME}"`,
    `  host: "${host}"`,
    `  port: ${ROUTE_PORT}`,
    // Advertise the node's own address, so the other nodes' routes (and the latency proxies) see it.
    `  advertise: "${addr}:${ROUTE_PORT}"`,
    '  routes: [',
    routes.join('\n'),
    '  ]',
    '}',
    '',
  ].join('\n');
}

export function natsLauncher(bin: string = NATS_BIN, listenAll = false): Launcher {
  return (node, ctx) => {
    const conf = join(ctx.dataDir, 'nats.conf');
    const text = natsConf(node, ctx.addr, ctx.peers, ctx.dataDir, listenAll);
    // On a remote host (ssh) the runtime writes the file, and nats-server makes its store folder itself.
    if (!ctx.remote) {
      mkdirSync(storeDir(ctx.dataDir), { recursive: true });
      writeFileSync(conf, text);
    }
    return {
      name: 'nats-server',
      command: bin,
      args: ['-c', conf],
      // A Go binary makes its own time syscalls: libfaketime cannot reach it.
      clock: 'none',
      ...(ctx.remote ? { files: [{ path: conf, content: text }] } : {}),
    };
  };
}
