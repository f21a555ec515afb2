/**
 * Real-system targets (etcd, Redis, NATS, PostgreSQL) run the same launcher on any kernel runtime (see
 * kernel/runtime.ts): node processes in network namespaces, or containers on a Docker engine. This is the one
 * place that chooses which, from the run's --runtime.
 */
import { NetnsRuntime } from './netns/runtime.js';
import { DockerRuntime } from './docker/runtime.js';
import { SshRuntime, type SshRuntimeOptions } from './ssh/runtime.js';
import { loadHosts } from './ssh/hosts.js';
import { InputError } from '../histories/errors.js';
import type { KernelRuntime, KernelRuntimeOptions, Launcher } from './kernel/runtime.js';
import type { TargetContext } from './target.js';

export interface RealRuntimeOptions {
  launch: Launcher;
  /** Client-facing ports, each proxied per node so client-link latency can be added. */
  proxyPorts: number[];
  /** Ports the nodes connect to each other on; proxied in each node's namespace when latency faults are asked for. */
  peerPorts?: number[];
  /** The locally built image (scripts/build-images.sh) used when --image is not given. */
  defaultImage: string;
  /** The target's program by name (etcd, redis), which a host of the ssh runtime may have elsewhere. */
  binary?: SshRuntimeOptions['binary'];
  /** The node's data files the file fault may damage (see KernelRuntimeOptions.dataFiles). */
  dataFiles?: (nodeDir: string) => string[];
}

export function makeRealRuntime(ctx: TargetContext, o: RealRuntimeOptions): KernelRuntime {
  const common: KernelRuntimeOptions = {
    runId: ctx.runId,
    nodes: ctx.nodes,
    launch: o.launch,
    dataDir: ctx.dataDir,
    logDir: ctx.logDir,
    proxyPorts: o.proxyPorts,
    // Only when asked: node links through a userspace proxy cost a little on every message.
    peerPorts: ctx.faults?.includes('latency') ? o.peerPorts : undefined,
    seed: ctx.seed,
    logger: ctx.logger,
    dataFiles: o.dataFiles,
  };
  if (ctx.runtime === 'ssh') {
    if (ctx.hosts === undefined) throw new InputError('the ssh runtime needs --hosts FILE (the hosts the nodes run on)');
    return new SshRuntime({ ...common, hosts: loadHosts(ctx.hosts), binary: o.binary });
  }
  return ctx.runtime === 'docker' ? new DockerRuntime({ ...common, image: ctx.image ?? o.defaultImage }) : new NetnsRuntime(common);
}
