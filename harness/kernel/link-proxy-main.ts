/**
 * The node->node latency proxy process, one per node (started by link-latency.ts in a namespace or container
 * of this machine, or by the ssh runtime on a host). It listens on loopback ports, each forwarding to one
 * peer's address and port, and takes delay settings as JSON:
 *
 *  - by default as lines on stdin, answering each with one line on stdout; it ends when stdin closes, so a
 *    harness that dies, even by SIGKILL, takes its proxies with it;
 *  - with `control` (the ssh runtime), from that file, which it polls; it writes each setting it has applied to
 *    `<control>.applied`, and runs until it is killed (by the recorded PID, as a node is), so a dropped SSH
 *    connection does not take the links down with it.
 *
 *   node link-proxy-main.js '{"jitter":[0.42,0.07],"routes":[{"listenPort":41000,"host":"10.213.4.3","port":2380}]}'
 *   stdin:  {"latencyMs":80,"jitterMs":20}     stdout: ok
 *
 * It imports nothing but Node and latency-proxy.js, so the ssh runtime can copy the two files to a host and
 * run them there with the host's own node: the spec and settings are checked by hand, and the jitter comes
 * as a table of uniform numbers drawn by the harness from the run's seed (harness/rng.ts), used in turn.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { LatencyProxy } from './latency-proxy.js';

interface Route {
  listenPort: number;
  host: string;
  port: number;
}
interface Spec {
  jitter: number[];
  routes: Route[];
  control?: string;
}
interface Delay {
  latencyMs: number;
  jitterMs: number;
}

const isPort = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 1 && (x as number) <= 65535;
const isMs = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= 60_000;

function parseSpec(text: string | undefined): Spec | string {
  let v: unknown;
  try {
    v = JSON.parse(text ?? 'null');
  } catch (err) {
    return `not JSON: ${(err as Error).message}`;
  }
  const s = v as Partial<Spec> | null;
  if (s === null || typeof s !== 'object') return 'the spec must be an object';
  if (!Array.isArray(s.jitter) || s.jitter.length === 0 || !s.jitter.every((x) => typeof x === 'number' && x >= 0 && x < 1)) return 'jitter must be a non-empty list of numbers in [0, 1)';
  if (!Array.isArray(s.routes) || s.routes.length === 0) return 'routes must be a non-empty list';
  for (const r of s.routes) {
    if (!r || !isPort(r.listenPort) || !isPort(r.port) || typeof r.host !== 'string' || r.host === '') return `bad route ${JSON.stringify(r)}`;
  }
  if (s.control !== undefined && (typeof s.control !== 'string' || !s.control.startsWith('/'))) return 'control must be an absolute path';
  return s as Spec;
}

function parseDelay(text: string): Delay | string {
  try {
    const d = JSON.parse(text) as Partial<Delay> | null;
    if (d && isMs(d.latencyMs) && isMs(d.jitterMs)) return { latencyMs: d.latencyMs, jitterMs: d.jitterMs };
    return 'latencyMs and jitterMs must be numbers from 0 to 60000';
  } catch (err) {
    return (err as Error).message;
  }
}

async function main(): Promise<void> {
  const spec = parseSpec(process.argv[2]);
  if (typeof spec === 'string') {
    process.stderr.write(`link-proxy: bad spec: ${spec}\n`);
    process.exit(2);
  }
  let k = 0;
  const random = () => spec.jitter[k++ % spec.jitter.length];
  const proxies = spec.routes.map((r) => ({ r, proxy: new LatencyProxy(r.host, r.port, random) }));
  await Promise.all(proxies.map(({ r, proxy }) => proxy.listen(r.listenPort)));
  const apply = (d: Delay) => proxies.forEach(({ proxy }) => proxy.setDelay(d));

  if (spec.control !== undefined) {
    const control = spec.control;
    let last = '';
    const poll = () => {
      let text: string;
      try {
        text = readFileSync(control, 'utf8').trim();
      } catch {
        return;
      }
      if (text === last) return;
      last = text;
      const d = parseDelay(text);
      if (typeof d === 'string') {
        process.stderr.write(`link-proxy: ignored ${control}: ${d}\n`);
        return;
      }
      apply(d);
      writeFileSync(`${control}.applied.tmp`, text);
      renameSync(`${control}.applied.tmp`, `${control}.applied`);
    };
    poll();
    setInterval(poll, 50);
    process.stdout.write('ready\n');
    return;
  }

  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const d = parseDelay(line);
    if (typeof d === 'string') {
      process.stdout.write(`error ${d.replace(/\n/g, ' ')}\n`);
      return;
    }
    apply(d);
    process.stdout.write('ok\n');
  });
  lines.on('close', () => {
    void Promise.all(proxies.map(({ proxy }) => proxy.close())).finally(() => process.exit(0));
  });
}

main().catch((err) => {
  process.stderr.write(`link-proxy: ${(err as Error).message}\n`);
  process.exit(1);
});
