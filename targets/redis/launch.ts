/**
 * How one Redis node is started: a redis-server (n1 the first primary, the others its replicas) and a
 * Sentinel beside it. Both config files are written once, on the node's first start, and never again:
 * Sentinel rewrites both of them (after a failover it records the new primary in its own file and
 * points each redis at it with REPLICAOF + CONFIG REWRITE), and a restarted node must come back with what
 * Sentinel decided, not with our initial layout.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LaunchSpec, Launcher, NodeContext } from '../../harness/kernel/runtime.js';
import type { NodeId } from '../../harness/runtime.js';

export const REDIS_BIN = '/usr/bin/redis-server';
export const REDIS_PORT = 6379;
export const SENTINEL_PORT = 26379;
export const MASTER_NAME = 'faultline';
/** Sentinel timing: how long a primary must be unreachable before it is judged down, and failover's budget. */
export const DOWN_AFTER_MS = 2000;
export const FAILOVER_TIMEOUT_MS = 6000;

export function quorum(nodeCount: number): number {
  return Math.floor(nodeCount / 2) + 1;
}

function redisConf(node: NodeId, ctx: NodeContext, firstPrimary: string): string {
  const lines = [
    `# faultline redis node ${node}`,
    `bind ${ctx.addr} 127.0.0.1`,
    `port ${REDIS_PORT}`,
    'protected-mode no',
    'daemonize no',
    'logfile ""',
    `dir ${join(ctx.dataDir, 'redis')}`,
    // An append-only file so a killed node restarts with its data, as a real deployment would.
    'appendonly yes',
    'appendfsync everysec',
    'repl-diskless-sync yes',
    'repl-diskless-sync-delay 0',
  ];
  if (ctx.addr !== firstPrimary) lines.push(`replicaof ${firstPrimary} ${REDIS_PORT}`);
  return lines.join('\n') + '\n';
}

function sentinelConf(ctx: NodeContext, firstPrimary: string, nodeCount: number): string {
  return (
    [
      `bind ${ctx.addr} 127.0.0.1`,
      `port ${SENTINEL_PORT}`,
      'protected-mode no',
      'daemonize no',
      'logfile ""',
      `dir ${join(ctx.dataDir, 'sentinel')}`,
      `sentinel monitor ${MASTER_NAME} ${firstPrimary} ${REDIS_PORT} ${quorum(nodeCount)}`,
      `sentinel down-after-milliseconds ${MASTER_NAME} ${DOWN_AFTER_MS}`,
      `sentinel failover-timeout ${MASTER_NAME} ${FAILOVER_TIMEOUT_MS}`,
      `sentinel parallel-syncs ${MASTER_NAME} 1`,
    ].join('\n') + '\n'
  );
}

export function redisLauncher(nodes: readonly NodeId[], bin: string = REDIS_BIN): Launcher {
  return (node, ctx) => {
    const firstPrimary = ctx.peers[nodes[0]];
    const redisFile = join(ctx.dataDir, 'redis.conf');
    const sentinelFile = join(ctx.dataDir, 'sentinel.conf');
    const redisText = redisConf(node, ctx, firstPrimary);
    const sentinelText = sentinelConf(ctx, firstPrimary, nodes.length);
    // On a remote host the runtime writes them (keep: only where absent, as below); here, node:fs does.
    if (!ctx.remote) {
      mkdirSync(join(ctx.dataDir, 'redis'), { recursive: true });
      mkdirSync(join(ctx.dataDir, 'sentinel'), { recursive: true });
      if (!existsSync(redisFile)) writeFileSync(redisFile, redisText);
      if (!existsSync(sentinelFile)) writeFileSync(sentinelFile, sentinelText);
    }
    // clock 'none': Debian's redis-server is linked with jemalloc, which libfaketime cannot initialise
    // alongside (libfaketime issue #130: both processes fail at start), so clock faults are unsupported.
    const specs: LaunchSpec[] = [
      {
        name: 'redis',
        command: bin,
        args: [redisFile],
        clock: 'none',
        files: [
          { path: redisFile, content: redisText, keep: true },
          { path: join(ctx.dataDir, 'redis', '.keep'), content: '', keep: true },
        ],
      },
      {
        name: 'sentinel',
        command: bin,
        args: [sentinelFile, '--sentinel'],
        logFile: ctx.logFile.replace(/\.log$/, '-sentinel.log'),
        clock: 'none',
        files: [
          { path: sentinelFile, content: sentinelText, keep: true },
          { path: join(ctx.dataDir, 'sentinel', '.keep'), content: '', keep: true },
        ],
      },
    ];
    return specs;
  };
}
