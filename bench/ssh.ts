/**
 * The ssh runtime against netns, for a 5-node etcd: time from start to healthy, and what one partition, heal,
 * kill, restart, pause+resume and the teardown cost on each (median of a few). The ssh hosts are namespaces
 * running sshd (bench/ssh-hosts.ts), so the SSH round trips are over a local bridge: on real hosts add the
 * network's round trip to each step. Needs root, etcd and openssh-server.
 *
 *   npm run build && node dist/bench/cli.js ssh [nodes] [repeats] [latency]
 *
 * With `latency`, both runtimes set up node-to-node latency (link proxies: this kernel has no netem) and a
 * "latency on+off" step is timed too. Prints this process's CPU time and the load average around each runtime.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Grudge, NodeId } from '../harness/runtime.js';
import type { TargetContext } from '../harness/target.js';
import type { KernelRuntime } from '../harness/kernel/runtime.js';
import { etcdTarget } from '../targets/etcd/index.js';
import { sshHosts } from './ssh-hosts.js';

function isolate(lonely: NodeId, nodes: NodeId[]): Grudge {
  const rest = nodes.filter((n) => n !== lonely);
  const g: Grudge = { [lonely]: rest };
  for (const n of rest) g[n] = [lonely];
  return g;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function measure(runtime: 'netns' | 'ssh', nodes: NodeId[], repeats: number, hosts?: string, latency = false): Promise<Record<string, number>> {
  const work = mkdtempSync(join(tmpdir(), `faultline-bench-${runtime}-`));
  const ctx: TargetContext = {
    runId: `bench-${runtime}-${process.pid}`,
    nodes,
    config: 'cp',
    workload: 'register',
    dataDir: join(work, 'data'),
    logDir: join(work, 'logs'),
    seed: '1',
    logger: pino({ level: 'silent' }),
    runtime,
    hosts,
    faults: latency ? ['partition', 'kill', 'pause', 'latency'] : ['partition', 'kill', 'pause'],
  };
  const cluster = await etcdTarget.create(ctx);
  const rt = cluster.runtime as KernelRuntime;
  const out: Record<string, number> = {};
  try {
    const t0 = performance.now();
    await rt.start();
    out['start (processes up)'] = performance.now() - t0;
    await cluster.awaitHealthy(60_000);
    out['start to healthy'] = performance.now() - t0;
    const part: number[] = [];
    const heal: number[] = [];
    const kill: number[] = [];
    const restart: number[] = [];
    const pause: number[] = [];
    const lat: number[] = [];
    for (let i = 0; i < repeats; i++) {
      if (latency) {
        lat.push(await timed(async () => {
          await rt.setLinkFaults({ latencyMs: 50 });
          await rt.setLinkFaults(null);
        }));
      }
      part.push(await timed(() => rt.partition(isolate(nodes[i % nodes.length], nodes))));
      heal.push(await timed(() => rt.heal()));
      const victim = nodes[(i + 1) % nodes.length];
      kill.push(await timed(() => rt.kill(victim)));
      restart.push(await timed(() => rt.restart(victim)));
      pause.push(await timed(async () => {
        await rt.pause(victim);
        await rt.resume(victim);
      }));
      await cluster.awaitHealthy(60_000);
    }
    Object.assign(out, { partition: median(part), heal: median(heal), kill: median(kill), restart: median(restart), 'pause+resume': median(pause) });
    if (latency) out['latency on+off'] = median(lat);
  } finally {
    out.teardown = await timed(() => rt.teardown());
    rmSync(work, { recursive: true, force: true });
  }
  return out;
}

export async function main(argv: string[] = []): Promise<void> {
  const n = Number(argv[0] ?? 5);
  const repeats = Number(argv[1] ?? 3);
  const latency = argv[2] === 'latency';
  const nodes = Array.from({ length: n }, (_, i) => `n${i + 1}`);
  const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
  const cpu = () => {
    const u = process.cpuUsage();
    return ((u.user + u.system) / 1e6).toFixed(1);
  };
  const notes: string[] = [];
  // The netns link proxies unref their pipes and timers (they must not keep a run alive); in this bare script
  // nothing else would keep the event loop up while one starts, so hold it open until the end.
  const keepAlive = setInterval(() => undefined, 1000);
  let w = performance.now();
  notes.push(`netns: load before ${load()}`);
  const netns = await measure('netns', nodes, repeats, undefined, latency);
  notes.push(`netns: load after ${load()}; ${((performance.now() - w) / 1000).toFixed(1)} s wall; harness CPU so far ${cpu()} s`);
  const fx = await sshHosts(n);
  let ssh: Record<string, number>;
  w = performance.now();
  notes.push(`ssh: load before ${load()}`);
  try {
    ssh = await measure('ssh', nodes, repeats, fx.hostsFile, latency);
  } finally {
    fx.dispose();
  }
  notes.push(`ssh: load after ${load()}; ${((performance.now() - w) / 1000).toFixed(1)} s wall; harness CPU so far ${cpu()} s`);
  clearInterval(keepAlive);
  for (const l of notes) console.log(l);
  console.log(`etcd, ${n} nodes, median of ${repeats} for each fault step (ms)${latency ? ', node-to-node latency set up' : ''}`);
  console.log(`${'step'.padEnd(22)} ${'netns'.padStart(8)} ${'ssh'.padStart(8)}`);
  for (const k of Object.keys(netns)) console.log(`${k.padEnd(22)} ${netns[k].toFixed(0).padStart(8)} ${(ssh[k] ?? NaN).toFixed(0).padStart(8)}`);
}
