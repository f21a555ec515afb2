/**
 * The node->node latency proxy process, one per node namespace (started by link-latency.ts). It listens on
 * loopback ports of that namespace, each forwarding to one peer's address and port, and takes delay settings
 * as JSON lines on stdin, answering each with one line on stdout. It ends when stdin closes, so a harness
 * that dies, even by SIGKILL, takes its proxies with it.
 *
 *   node link-proxy-main.js '{"seed":"7/n1","routes":[{"listenPort":41000,"host":"10.213.4.3","port":2380}]}'
 *   stdin:  {"latencyMs":80,"jitterMs":20}     stdout: ok
 */
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { rngFor } from '../rng.js';
import { LatencyProxy } from './latency-proxy.js';

const SpecSchema = z.object({
  seed: z.string(),
  routes: z.array(z.object({ listenPort: z.number().int().min(1).max(65535), host: z.string(), port: z.number().int().min(1).max(65535) })).min(1),
});
const DelaySchema = z.object({ latencyMs: z.number().min(0).max(60_000), jitterMs: z.number().min(0).max(60_000) });

async function main(): Promise<void> {
  const parsed = SpecSchema.safeParse(JSON.parse(process.argv[2] ?? 'null'));
  if (!parsed.success) {
    process.stderr.write(`link-proxy: bad spec: ${parsed.error.issues.map((i) => i.message).join('; ')}\n`);
    process.exit(2);
  }
  const rng = rngFor(parsed.data.seed, 'link-latency');
  const proxies = parsed.data.routes.map((r) => ({ r, proxy: new LatencyProxy(r.host, r.port, () => rng.next()) }));
  await Promise.all(proxies.map(({ r, proxy }) => proxy.listen(r.listenPort)));
  process.stdout.write('ready\n');

  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    let delay: z.infer<typeof DelaySchema>;
    try {
      delay = DelaySchema.parse(JSON.parse(line));
    } catch (err) {
      process.stdout.write(`error ${(err as Error).message.replace(/\n/g, ' ')}\n`);
      return;
    }
    for (const { proxy } of proxies) proxy.setDelay(delay);
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
