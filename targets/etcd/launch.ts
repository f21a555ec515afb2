/**
 * How one etcd node is started. Debian's etcd-server 3.4; the data folder is kept across kill/restart, and
 * on a restart etcd ignores the initial-cluster flags because the data folder already holds membership.
 */
import type { Launcher } from '../../harness/kernel/runtime.js';

export const ETCD_BIN = '/usr/bin/etcd';
export const CLIENT_PORT = 2379;
export const PEER_PORT = 2380;

export function etcdLauncher(runId: string, bin: string = ETCD_BIN): Launcher {
  return (node, ctx) => {
    const initialCluster = Object.entries(ctx.peers)
      .map(([n, addr]) => `${n}=http://${addr}:${PEER_PORT}`)
      .join(',');
    return {
      name: 'etcd',
      command: bin,
      args: [
        `--name=${node}`,
        `--data-dir=${ctx.dataDir}/etcd`,
        `--listen-peer-urls=http://${ctx.addr}:${PEER_PORT}`,
        `--initial-advertise-peer-urls=http://${ctx.addr}:${PEER_PORT}`,
        `--listen-client-urls=http://${ctx.addr}:${CLIENT_PORT}`,
        `--advertise-client-urls=http://${ctx.addr}:${CLIENT_PORT}`,
        `--initial-cluster=${initialCluster}`,
        '--initial-cluster-state=new',
        `--initial-cluster-token=faultline-${runId}`,
        // Pre-vote keeps a node that rejoins after a partition from forcing a needless election.
        '--pre-vote=true',
        '--logger=zap',
        '--log-outputs=stderr',
      ],
      // Go binaries make their own syscalls for time: libfaketime cannot reach etcd.
      clock: 'none',
    };
  };
}
