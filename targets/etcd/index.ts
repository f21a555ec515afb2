/**
 * etcd on the netns runtime: Debian's etcd 3.4, one member per node namespace, pre-vote on.
 * Configs differ only in how reads are served: `cp` reads go through raft (linearizable), `ap` reads are
 * answered by the contacted member from its own state (serializable), so a partitioned member serves stale
 * data instead of failing.
 */
import type { Etcd3 } from 'etcd3';
import { InputError } from '../../histories/errors.js';
import { binaryVersion, nodesVersion, validateRealContext } from '../real-context.js';
import type { Key } from '../../histories/op.js';
import { makeRealRuntime } from '../../harness/real-runtime.js';
import type { KernelRuntime } from '../../harness/kernel/runtime.js';
import type { NodeId } from '../../harness/runtime.js';
import { mostNamed, type Roles } from '../../harness/faults/fault.js';
import type { Client, Cluster, FinalRead, Target, TargetContext, WorkloadName } from '../../harness/target.js';
import { EtcdClient, openEtcd, readLocal, type ReadMode } from './client.js';
import { CLIENT_PORT, ETCD_BIN, etcdLauncher, PEER_PORT } from './launch.js';
import { describeError } from './outcome.js';
import { sleep } from '../../harness/time.js';

const CONFIGS = ['cp', 'ap'] as const;

function validate(ctx: TargetContext): void {
  validateRealContext('etcd', CONFIGS, ctx);
}


export class EtcdCluster implements Cluster {
  readonly runtime: KernelRuntime;
  private readonly readMode: ReadMode;

  constructor(
    private readonly ctx: TargetContext,
    private readonly bin: string = ETCD_BIN,
  ) {
    this.runtime = makeRealRuntime(ctx, { launch: etcdLauncher(ctx.runId, bin), proxyPorts: [CLIENT_PORT], peerPorts: [PEER_PORT], defaultImage: 'faultline/etcd:local', binary: { name: 'etcd', path: bin } });
    this.readMode = ctx.config === 'ap' ? 'serializable' : 'linearizable';
  }

  private connect(node: NodeId, dialTimeoutMs = 5000): Etcd3 {
    const a = this.runtime.nodeAddress(node, CLIENT_PORT);
    return openEtcd(a.host, a.port ?? CLIENT_PORT, dialTimeoutMs);
  }

  /** Every member answers, knows a leader, and serves a linearizable read. */
  async awaitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await Promise.all(
      this.ctx.nodes.map(async (node) => {
        let last = 'no answer yet';
        for (let attempt = 0; attempt < 10_000; attempt++) {
          const left = deadline - Date.now();
          if (left <= 0) break;
          const etcd = this.connect(node, Math.min(left, 2000));
          try {
            const callDeadline = new Date(Date.now() + Math.min(left, 2000));
            const status = await etcd.maintenance.status({ deadline: callDeadline });
            if (!status.leader || status.leader === '0') last = 'no leader elected yet';
            else {
              await etcd.get('faultline/health').options({ deadline: callDeadline }).string();
              return;
            }
          } catch (err) {
            last = describeError(err);
          } finally {
            etcd.close();
          }
          await sleep(Math.min(200, Math.max(0, deadline - Date.now())));
        }
        throw new Error(`etcd node ${node} was not healthy after ${timeoutMs} ms: ${last}`);
      }),
    );
  }

  async openClient(node: NodeId, _process: number): Promise<Client> {
    if (!this.ctx.nodes.includes(node)) throw new InputError(`unknown node "${node}"`);
    return new EtcdClient(this.connect(node), this.ctx.workload, this.readMode);
  }

  async finalRead(node: NodeId, key: Key, timeoutMs: number): Promise<FinalRead> {
    const etcd = this.connect(node, timeoutMs);
    try {
      return { ok: true, value: await readLocal(etcd, this.ctx.workload, key, timeoutMs) };
    } catch (err) {
      return { ok: false, value: null, error: describeError(err) };
    } finally {
      etcd.close();
    }
  }

  /** The primary is the Raft leader: the member whose id most members report as their leader's. */
  async roles(timeoutMs: number): Promise<Roles> {
    const views = await Promise.all(
      this.ctx.nodes.map(async (node) => {
        const etcd = this.connect(node, timeoutMs);
        try {
          const s = await etcd.maintenance.status({ deadline: new Date(Date.now() + timeoutMs) });
          return { node, self: String(s.header.member_id), leader: String(s.leader) };
        } catch {
          return null;
        } finally {
          etcd.close();
        }
      }),
    );
    const known = views.filter((v) => v !== null);
    const leaderId = mostNamed(known.map((v) => (v.leader === '0' ? null : v.leader)));
    return { primary: known.find((v) => v.self === leaderId)?.node };
  }

  async versions(): Promise<Record<string, string>> {
    return { etcd: await nodesVersion(this.runtime, this.ctx.nodes, this.bin, ETCD_VERSION) };
  }
}

const ETCD_VERSION = /etcd Version:\s*(\S+)/;

export function etcdVersion(bin: string = ETCD_BIN): Promise<string> {
  return binaryVersion(bin, ETCD_VERSION);
}

const workloads: readonly WorkloadName[] = ['register', 'set'];

export const etcdTarget: Target = {
  name: 'etcd',
  configs: CONFIGS,
  defaultConfig: 'cp',
  promises: { cp: 'CP', ap: 'AP' },
  bugs: [],
  roles: ['primary'],
  workloads,
  runtimes: ['netns', 'docker', 'ssh'],
  defaultRuntime: 'netns',
  // Latency delays member-to-member traffic (the peer port) through proxies in the members' namespaces.
  faultLimits: { clock: "etcd's static Go binary ignores libfaketime", file: 'the file fault damages only data files a target names, and etcd names none yet (nats does)' },
  async create(ctx: TargetContext): Promise<Cluster> {
    validate(ctx);
    return new EtcdCluster(ctx);
  },
};
