// The latency proxy needs no root: it runs on loopback only.
import { createServer, connect, type Server } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { LatencyProxy } from '../../../harness/kernel/latency-proxy.js';

let server: Server | null = null;
let proxy: LatencyProxy | null = null;

afterEach(async () => {
  await proxy?.close();
  await new Promise((r) => (server ? server.close(r) : r(null)));
  server = proxy = null;
});

/** An echo server on loopback; returns its port. */
async function echo(): Promise<number> {
  server = createServer((s) => {
    s.on('error', () => {});
    s.pipe(s);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const a = server.address();
  return typeof a === 'object' && a ? a.port : 0;
}

it('keeps the byte stream in order under jitter, and delivers the data before the close', async () => {
  const port = await echo();
  // A fixed pseudo-random sequence, so the jitter pattern is the same on every run.
  let x = 7;
  proxy = new LatencyProxy('127.0.0.1', port, () => ((x = (x * 48271) % 2147483647) / 2147483647));
  const lp = await proxy.listen();
  proxy.setDelay({ latencyMs: 5, jitterMs: 40 });
  const sock = connect(lp, '127.0.0.1');
  let got = '';
  sock.on('data', (d) => (got += String(d)));
  const expected = Array.from({ length: 60 }, (_, i) => `<${i}>`).join('');
  await new Promise<void>((r) => sock.once('connect', () => r()));
  // Separate writes, spaced out, so they travel as separate chunks with different delays.
  for (let i = 0; i < 60; i++) {
    sock.write(`<${i}>`);
    if (i % 6 === 0) await new Promise((r) => setTimeout(r, 3));
  }
  // Wait (bounded) for the whole echo to come back.
  for (let i = 0; i < 300 && got.length < expected.length; i++) await new Promise((r) => setTimeout(r, 20));
  expect(got).toBe(expected);
  sock.end();
  await new Promise((r) => sock.once('close', r));
});

it('passes a connection refused upstream through as a closed connection', async () => {
  const port = await echo();
  await new Promise((r) => server!.close(r));
  server = null;
  proxy = new LatencyProxy('127.0.0.1', port);
  const lp = await proxy.listen();
  const sock = connect(lp, '127.0.0.1');
  sock.on('error', () => {});
  const closed = await new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), 10_000);
    sock.once('close', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
  expect(closed).toBe(true);
});
