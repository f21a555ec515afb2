/**
 * `faultline serve` over a store of hand-made runs: it lists newest first and filters, opens reports,
 * histories (gzipped too) and node logs, compares runs, and answers nothing outside the store however the
 * path is spelled. The list page is also checked in chromium, with a screenshot in tests/artifacts/.
 */
import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServeApp } from '../../../harness/serve/app.js';
import { gzipInPlace } from '../../../histories/compressed.js';
import { makeFixtureRun, XSS } from '../report/fixture-run.js';
import { ARTIFACTS, haveChromium, launchChromium } from '../report/browser.js';

let store: string;
let outside: string;
let server: ServerType;
let base: string;

/** A raw GET: the path goes on the wire exactly as written (fetch would normalise `..`). */
function get(path: string): Promise<{ status: number; body: string; type: string }> {
  return new Promise((done, fail) => {
    const req = request(`${base}/`, { method: 'GET', path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), type: String(res.headers['content-type'] ?? '') }));
    });
    req.on('error', fail);
    req.end();
  });
}

beforeAll(async () => {
  store = mkdtempSync(join(tmpdir(), 'faultline-serve-'));
  outside = mkdtempSync(join(tmpdir(), 'faultline-outside-'));
  writeFileSync(join(outside, 'secret.log'), 'SECRET');
  makeFixtureRun(store, { id: '2026-01-01T00-00-00.000Z', valid: true, seed: 'old' });
  const failing = makeFixtureRun(store, { id: '2026-02-01T00-00-00.000Z', seed: 'new' });
  makeFixtureRun(store, { test: 'etcd-cp-register', id: '2026-01-15T00-00-00.000Z', valid: true, seed: 'mid' });
  await gzipInPlace(join(failing.dir, 'history.jsonl'));
  // Traps: a node log and a run that are symlinks out of the store.
  symlinkSync(join(outside, 'secret.log'), join(failing.dir, 'nodes', 'evil.log'));
  mkdirSync(join(store, 'escape'));
  symlinkSync(outside, join(store, 'escape', 'run'));
  const app = createServeApp(store);
  await new Promise<void>((done) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => done());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((done) => server?.close(done));
  rmSync(store, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('faultline serve', () => {
  it('lists runs newest first, and filters by verdict, test, target and date', async () => {
    const all = await get('/');
    expect(all.status).toBe(200);
    const order = [...all.body.matchAll(/<small>(2026-[^<]+)<\/small>/g)].map((m) => m[1]);
    expect(order).toEqual(['2026-02-01T00-00-00.000Z', '2026-01-15T00-00-00.000Z', '2026-01-01T00-00-00.000Z']);
    const count = (body: string) => (body.match(/<tr class="run"/g) ?? []).length;
    expect(count((await get('/?verdict=invalid')).body)).toBe(1);
    expect(count((await get('/?test=etcd-cp-register')).body)).toBe(1);
    expect(count((await get('/?target=builtin')).body)).toBe(3);
    expect(count((await get('/?from=2026-01-10&to=2026-01-31')).body)).toBe(0);
    // Fixture runs all start on 2026-01-02 (run.json), whatever their folder is called.
    expect(count((await get('/?from=2026-01-02&to=2026-01-02')).body)).toBe(3);
  });

  it('opens a report, a gzipped history as text, a node log, results; compares runs side by side', async () => {
    const r = await get('/runs/builtin-raft-stale-reads-register/2026-02-01T00-00-00.000Z/');
    expect(r.status).toBe(200);
    expect(r.body).toContain('id="report-data"');
    const h = await get('/runs/builtin-raft-stale-reads-register/2026-02-01T00-00-00.000Z/history');
    expect(h.type).toMatch(/text\/plain/);
    expect(h.body.split('\n')[0]).toMatch(/^\{"index":0,/);
    const n = await get('/runs/builtin-raft-stale-reads-register/2026-02-01T00-00-00.000Z/nodes/n1.log');
    expect(n.body).toContain(XSS.value);
    expect(n.type).toMatch(/text\/plain/);
    const c = await get('/compare?run=builtin-raft-stale-reads-register/2026-02-01T00-00-00.000Z&run=etcd-cp-register/2026-01-15T00-00-00.000Z');
    expect(c.status).toBe(200);
    expect(c.body).toContain('linearizable');
    expect(c.body).toContain('etcd-cp-register 2026-01-15T00-00-00.000Z');
  });

  it('serves nothing outside the store, however the path is spelled', async () => {
    const tries = [
      '/runs/../../../etc/passwd',
      '/runs/..%2f..%2f..%2fetc/passwd/log',
      '/runs/%2e%2e/%2e%2e/log',
      '/runs/builtin-raft-stale-reads-register/..%2F..%2F..%2Fetc/log',
      '/runs/builtin-raft-stale-reads-register/2026-02-01T00-00-00.000Z/nodes/..%2f..%2f..%2frun.json',
      '/runs/builtin-raft-stale-reads-register/2026-02-01T00-00-00.000Z/nodes/%2e%2e%2f%2e%2e%2fresults.json',
      '/runs/builtin-raft-stale-reads-register/2026-02-01T00-00-00.000Z/nodes/evil.log',
      '/runs/escape/run/log',
      '/runs/escape/run/nodes/secret.log',
      '/runs/.%2e/.%2e/log',
      '//etc/passwd',
      '/runs/builtin-raft-stale-reads-register/2026-02-01T00-00-00.000Z/nodes/n1.log%00.txt',
    ];
    for (const t of tries) {
      const r = await get(t);
      expect.soft(r.status, t).toBe(404);
      expect.soft(r.body, t).not.toMatch(/SECRET|root:x:0/);
    }
  });

  it.skipIf(!haveChromium() && process.env.CI !== 'true')('the list page in chromium: verdict colours, filter by verdict, open a report', async () => {
    const b = await launchChromium();
    try {
      const page = await b.browser.newPage({ viewport: { width: 1300, height: 700 } });
      await page.goto(`${base}/`);
      expect(await page.locator('tr.run').count()).toBe(3);
      const colour = await page.evaluate(`getComputedStyle(document.querySelector('tr.run[data-verdict="invalid"] .badge')).backgroundColor`);
      expect(colour).toBe('rgb(198, 40, 40)');
      await page.screenshot({ path: join(ARTIFACTS, 'serve-list.png') });
      await page.selectOption('select[name="verdict"]', 'invalid');
      await Promise.all([page.waitForURL(/verdict=invalid/), page.click('form.filters button[type="submit"]')]);
      expect(await page.locator('tr.run').count()).toBe(1);
      await page.screenshot({ path: join(ARTIFACTS, 'serve-list-filtered.png') });
      await Promise.all([page.waitForURL(/\/runs\//), page.locator('tr.run a', { hasText: 'report' }).first().click()]);
      await page.waitForSelector('body[data-ready="1"]');
      expect(await page.textContent('#verdict')).toBe('INVALID');
      expect(await page.evaluate('window.__xss')).toBeUndefined();
    } finally {
      await b.close();
    }
  }, 180_000);
});
