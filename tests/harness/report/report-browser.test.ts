/**
 * report.html in a real browser (Debian's chromium through playwright-core): the failing op is outlined and
 * "jump to first error" selects it, the fault bands and charts draw, and hostile values stay text.
 * Screenshots go to tests/artifacts/ (git-ignored) for people to look at.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRunReport } from '../../../harness/report/html/write-report.js';
import { ARTIFACTS, haveChromium, launchChromium, type OpenBrowser } from './browser.js';
import { makeFixtureRun, XSS } from './fixture-run.js';

const need = haveChromium() || process.env.CI === 'true';

describe.skipIf(!need)('report.html in chromium', () => {
  let b: OpenBrowser;
  let store: string;
  beforeAll(async () => {
    store = mkdtempSync(join(tmpdir(), 'faultline-report-browser-'));
    b = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await b?.close();
    rmSync(store, { recursive: true, force: true });
  });

  it('shows the failing run: verdict, fault bands, charts, the failing op outlined and jumped to; hostile values stay inert', async () => {
    const run = makeFixtureRun(store);
    const { path } = await writeRunReport(run.dir);
    const page = await b.browser.newPage({ viewport: { width: 1300, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    await page.goto(`file://${path}`);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 20_000 });
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(await page.textContent('#verdict')).toBe('INVALID');
    // The CAP sentence carries a hostile message: it is text, not an element.
    expect(await page.textContent('#cap')).toContain(XSS.message);
    expect(await page.locator('#cap img').count()).toBe(0);
    // Both charts drew (uPlot makes a canvas in each).
    expect(await page.locator('#latency-chart canvas').count()).toBe(1);
    expect(await page.locator('#rate-chart canvas').count()).toBe(1);
    // The fault bands are drawn on the timeline canvas: sample the pixels of the partition row.
    // (A string, as it runs in the page, whose globals this file's Node types do not know.)
    const bandPixels = await page.evaluate(`(() => {
      const c = document.getElementById('timeline');
      const d = c.getContext('2d').getImageData(0, 0, c.width, Math.round(20 * devicePixelRatio)).data;
      let coloured = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] > 150 && d[i + 1] < 140 && d[i + 3] > 0) coloured++;
      return coloured;
    })()`);
    expect(bandPixels).toBeGreaterThan(100);
    await page.screenshot({ path: join(ARTIFACTS, 'report-failing-top.png') });

    await page.click('#jump-first');
    expect(await page.getAttribute('#timeline', 'data-focused')).toBe(String(run.badInvoke));
    const selected = await page.textContent('#selected');
    expect(selected).toContain('named by a finding');
    expect(selected).toContain(XSS.value);
    expect(selected).toContain(XSS.node);
    await page.screenshot({ path: join(ARTIFACTS, 'report-failing-jump.png') });

    // The finding: its message and the counterexample's labels are text; its op link jumps too.
    const finding = page.locator('#finding-linearizable-0');
    expect(await finding.locator('.message').textContent()).toBe(XSS.message);
    expect(await finding.locator('svg.cex text.cex-label').first().textContent()).toContain('<script>');
    await finding.locator(`a.oplink[data-op="${run.badInvoke}"]`).first().click();
    expect(await page.getAttribute('#timeline', 'data-focused')).toBe(String(run.badInvoke));
    // The network picture: three nodes, the partition's two cut links (both ways), n2 ringed as killed.
    expect(await page.locator('#topology svg g.node').count()).toBe(3);
    expect(await page.locator('#topology svg line.cut').count()).toBe(2);
    expect(await page.locator('#topology svg line.link').count()).toBe(3);
    expect(await page.locator('#topology svg g.node title').nth(1).textContent()).toBe('n2: killed in 1 window');
    await page.locator('#topology').screenshot({ path: join(ARTIFACTS, 'report-topology.png') });
    // Final reads keep the hostile value as text.
    expect(await page.locator('#finals td.divergent').first().textContent()).toBe(XSS.value);
    await page.locator('#findings').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'report-failing-findings.png') });

    // Nothing ran: no handler fired, no element from a value exists.
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(await page.locator('#app img, #app script, #app svg[onload]').count()).toBe(0);
    await page.close();
  }, 180_000);
});
