/**
 * The docker runtime against a real engine: images built from the host's binaries, a 3-node etcd cluster in
 * containers, partitions and loss seen by real connections between containers, kill/restart/pause, a Redis
 * node with two processes in one container, and no container or network left after teardown or cleanup.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cleanupDocker } from '../../../harness/docker/cleanup.js';
import { connectEngine, RUN_LABEL } from '../../../harness/docker/engine.js';
import { listRules } from '../../../harness/kernel/firewall.js';
import { DockerRuntime } from '../../../harness/docker/runtime.js';
import type { Launcher } from '../../../harness/kernel/runtime.js';
import { etcdLauncher } from '../../../targets/etcd/launch.js';
import { redisLauncher, REDIS_PORT, SENTINEL_PORT } from '../../../targets/redis/launch.js';
import { nodesVersion } from '../../../targets/real-context.js';
import { ROOT } from '../../paths.js';
import { checkDocker, describeWithDocker } from './env.js';
import { awaitEtcd, etcdGet, etcdHealthy, etcdPut, redisCommand, tcpFromContainer, tcpFromHost } from './probes.js';

const env = await checkDocker();
const NODES = ['n1', 'n2', 'n3'];
const PEER_PORT = 2380;
const suffix = `${process.pid}-${Date.now().toString(36)}`;
const RUN_ETCD = `docker-test-etcd-${suffix}`;
const RUN_REDIS = `docker-test-redis-${suffix}`;
const RUN_DROPPED = `docker-test-dropped-${suffix}`;

async function labelled(runId: string): Promise<{ containers: string[]; networks: string[] }> {
  const { docker } = connectEngine(env.options);
  const filters = { label: [`${RUN_LABEL}=${runId}`] };
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  return { containers: containers.map((c) => c.Names[0] ?? c.Id), networks: networks.map((n) => n.Name) };
}

describeWithDocker('docker runtime', env, () => {
  const dirs: string[] = [];
  const runtimes: DockerRuntime[] = [];
  let etcd: DockerRuntime;
  let etcdDir = '';
  const engine = () => env.options;

  function newRuntime(runId: string, nodes: string[], image: string, launch: Launcher): DockerRuntime {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-docker-'));
    dirs.push(dir);
    const rt = new DockerRuntime({ runId, nodes, image, launch, dataDir: join(dir, 'data'), logDir: join(dir, 'logs'), docker: engine() });
    runtimes.push(rt);
    return rt;
  }

  beforeAll(() => {
    execFileSync('bash', [join(ROOT, 'scripts', 'build-images.sh')], {
      env: { ...process.env, DOCKER_HOST: env.url },
      timeout: 180_000,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  }, 200_000);

  afterAll(async () => {
    for (const rt of runtimes) await rt.teardown().catch(() => undefined);
    for (const id of [RUN_ETCD, RUN_REDIS, RUN_DROPPED]) await cleanupDocker(id, engine()).catch(() => undefined);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }, 120_000);

  it('builds the images from the host binaries, labelled with their source hash', async () => {
    const { docker } = connectEngine(engine());
    for (const tag of ['faultline/etcd:local', 'faultline/redis:local', 'faultline/pause:local']) {
      const info = await docker.getImage(tag).inspect();
      expect(info.Config.Labels?.['faultline.src']).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it('says how to build a missing image', async () => {
    const rt = newRuntime(`docker-test-noimage-${suffix}`, ['n1'], 'faultline/missing:local', etcdLauncher('x'));
    await expect(rt.start()).rejects.toThrow(/build-images\.sh/);
    await rt.teardown();
  });

  it('brings up a healthy 3-node etcd cluster, one labelled container per node on an internal network', async () => {
    etcd = newRuntime(RUN_ETCD, NODES, 'faultline/etcd:local', etcdLauncher(RUN_ETCD));
    etcdDir = dirs[dirs.length - 1];
    const t0 = Date.now();
    await etcd.start();
    const unhealthy = await awaitEtcd(NODES.map((n) => etcd.addressOf(n)), 60_000);
    console.info(`[docker runtime] 3-node etcd up and healthy in ${Date.now() - t0} ms (subnet ${etcd.subnet})`);
    expect(unhealthy).toEqual([]);
    const { docker } = connectEngine(engine());
    const net = await docker.getNetwork(etcd.networkName).inspect();
    expect(net.Internal).toBe(true);
    expect(net.Labels?.[RUN_LABEL]).toBe(RUN_ETCD);
    const found = await labelled(RUN_ETCD);
    // A node container and the sandbox holding its network namespace, per node.
    expect(found.containers.length).toBe(6);
    expect(new Set(NODES.map((n) => etcd.addressOf(n))).size).toBe(3);
  }, 90_000);

  it('asks the image, not this machine, which etcd the nodes run (run.json records that version)', async () => {
    // The image's /etc/group holds only root and nobody: a program run through runProgram sees the image's
    // files (the image has dash and no coreutils, so shell builtins only).
    const groups = (await etcd.runProgram('n1', ['/bin/sh', '-c', 'while IFS=: read -r g _; do echo "$g"; done < /etc/group'])).split('\n').filter(Boolean);
    expect(groups).toContain('root');
    expect(readFileSync('/etc/group', 'utf8').split('\n').length).toBeGreaterThan(groups.length + 2);
    expect(await nodesVersion(etcd, NODES, '/usr/bin/etcd', /etcd Version:\s*(\S+)/)).toMatch(/^3\.\d+\.\d+$/);
    // A program that only this machine has is not found in the image: the answer says so rather than this machine's.
    expect(await nodesVersion(etcd, ['n1'], process.execPath, /^v(\d+\.\d+\.\d+)$/m)).toMatch(/^unknown \(/);
  }, 60_000);

  it('isolates a node with iptables in the containers, and heals', async () => {
    const [a1, a2, a3] = NODES.map((n) => etcd.addressOf(n));
    const p1 = etcd.netPidOf('n1')!;
    const p2 = etcd.netPidOf('n2')!;
    expect(await tcpFromContainer(p1, a2, PEER_PORT)).toBe(true);

    await etcd.partition({ n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] });
    expect(await tcpFromContainer(p1, a2, PEER_PORT)).toBe(false);
    expect(await tcpFromContainer(p2, a1, PEER_PORT)).toBe(false);
    // The majority side still talks, and the harness still reaches the isolated node (a client link).
    expect(await tcpFromContainer(p2, a3, PEER_PORT)).toBe(true);
    expect(await tcpFromHost(a1, 2379)).toBe(true);
    // A write through the majority commits while n1 is cut off.
    await etcdPut(a2, 'during-partition', 'yes');

    await etcd.heal();
    expect(await tcpFromContainer(p1, a2, PEER_PORT)).toBe(true);
    expect(await listRules(etcd, 'n1')).not.toContainEqual(expect.stringContaining('-j DROP'));
  }, 60_000);

  it('drops inter-node packets with loss 1 and refuses inter-node latency', async () => {
    const p1 = etcd.netPidOf('n1')!;
    const a2 = etcd.addressOf('n2');
    await etcd.setLinkFaults({ loss: 1 });
    expect(await tcpFromContainer(p1, a2, PEER_PORT)).toBe(false);
    await etcd.setLinkFaults(null);
    expect(await tcpFromContainer(p1, a2, PEER_PORT)).toBe(true);
    await expect(etcd.setLinkFaults({ latencyMs: 50 })).rejects.toThrow(/peer ports/);
    await expect(etcd.clockSkew('n1', 1000)).rejects.toThrow(/not supported/);
  }, 30_000);

  it('kills a node (its container stops) and restarts it with its data, back inside its partition', async () => {
    const a1 = etcd.addressOf('n1');
    const a3 = etcd.addressOf('n3');
    await etcd.kill('n3');
    expect(etcd.isRunning('n3')).toBe(false);
    expect(etcd.pidOf('n3')).toBeNull();
    const { docker } = connectEngine(engine());
    expect((await docker.getContainer(etcd.containerNameOf('n3')).inspect()).State.Running).toBe(false);
    expect(await tcpFromHost(a3, 2379)).toBe(false);
    // Two of three still make a quorum.
    await etcdPut(a1, 'while-n3-down', 'v1');

    // Partitioned while down: the rules wait in the node's namespace and hold from its first packet.
    await etcd.partition({ n3: ['n2'], n2: ['n3'] });
    await etcd.restart('n3');
    expect(etcd.pidOf('n3')).not.toBeNull();
    const p3 = etcd.netPidOf('n3')!;
    expect(await listRules(etcd, 'n3')).toContainEqual(expect.stringContaining(`-s ${etcd.addressOf('n2')}/32`));
    expect(await tcpFromContainer(p3, etcd.addressOf('n2'), PEER_PORT)).toBe(false);
    await etcd.heal();
    expect(await awaitEtcd([a3], 60_000)).toEqual([]);
    // Data written before the kill came back from the bind-mounted data folder; the write it missed came by raft.
    expect(await etcdGet(a3, 'during-partition')).toBe('yes');
    expect(await etcdGet(a3, 'while-n3-down')).toBe('v1');
  }, 90_000);

  it('pauses and resumes a node', async () => {
    const a2 = etcd.addressOf('n2');
    await etcd.pause('n2');
    const { docker } = connectEngine(engine());
    expect((await docker.getContainer(etcd.containerNameOf('n2')).inspect()).State.Paused).toBe(true);
    // A frozen process answers nothing, however long we wait; 2 s is only how long we look.
    expect(await etcdHealthy(a2, 2000)).toBe(false);
    await etcd.resume('n2');
    expect((await docker.getContainer(etcd.containerNameOf('n2')).inspect()).State.Paused).toBe(false);
    expect(await awaitEtcd([a2], 30_000)).toEqual([]);
  }, 60_000);

  it('writes node output to <logDir>/<node>.log', async () => {
    const log = readFileSync(join(etcdDir, 'logs', 'n1.log'), 'utf8');
    expect(log).toMatch(/etcd/);
  });

  it('teardown removes every container and the network, and is idempotent', async () => {
    await etcd.teardown();
    await etcd.teardown();
    expect(await labelled(RUN_ETCD)).toEqual({ containers: [], networks: [] });
  }, 60_000);

  it('runs a Redis node as redis-server plus sentinel in one container; kill stops both', async () => {
    const rt = newRuntime(RUN_REDIS, ['n1'], 'faultline/redis:local', redisLauncher(['n1']));
    await rt.start();
    const a = rt.addressOf('n1');
    const ping = async (port: number) => {
      for (let i = 0; i < 40; i++) {
        if ((await redisCommand(a, port, 'PING', 1000)) === '+PONG') return true;
        await new Promise((r) => setTimeout(r, 250));
      }
      return false;
    };
    expect(await ping(REDIS_PORT)).toBe(true);
    expect(await ping(SENTINEL_PORT)).toBe(true);
    await rt.kill('n1');
    expect(await tcpFromHost(a, REDIS_PORT)).toBe(false);
    expect(await tcpFromHost(a, SENTINEL_PORT)).toBe(false);
    await rt.restart('n1');
    expect(await ping(REDIS_PORT)).toBe(true);
    expect(await ping(SENTINEL_PORT)).toBe(true);
    await rt.teardown();
    expect(await labelled(RUN_REDIS)).toEqual({ containers: [], networks: [] });
  }, 90_000);

  it('cleanupDocker(runId) removes what a dropped runtime left', async () => {
    const rt = newRuntime(RUN_DROPPED, ['n1', 'n2'], 'faultline/etcd:local', etcdLauncher(RUN_DROPPED));
    await rt.start();
    runtimes.pop(); // dropped: nobody tears it down
    const before = await labelled(RUN_DROPPED);
    expect(before.containers.length).toBe(4);
    expect(before.networks.length).toBe(1);
    const removed = await cleanupDocker(RUN_DROPPED, engine());
    expect(removed).toContain(`network ${rt.networkName}`);
    expect(removed.filter((r) => r.startsWith('container ')).length).toBe(4);
    expect(await labelled(RUN_DROPPED)).toEqual({ containers: [], networks: [] });
    expect(await cleanupDocker(RUN_DROPPED, engine())).toEqual([]);
  }, 60_000);
});
