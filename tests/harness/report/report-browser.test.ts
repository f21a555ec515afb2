/**
 * report.html in a real browser (Debian's chromium through playwright-core): the failing op is outlined and
 * "jump to first error" selects it, the fault bands and charts draw, and hostile values stay text; long labels
 * stay inside their bars, and the fault rows go in the order the faults started.
 * Screenshots go to tests/artifacts/ (git-ignored) for people to look at.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRunReport } from '../../../harness/report/html/write-report.js';
import { ARTIFACTS, haveChromium, launchChromium, type OpenBrowser } from './browser.js';
import { LONG_VALUE, makeFixtureRun, XSS } from './fixture-run.js';

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

  it('fits long op labels to their bars in the counterexample, keeps the whole op in the tooltip, and orders fault rows by start', async () => {
    const run = makeFixtureRun(store, { id: '2026-01-02T03-04-06.000Z', longLabels: true, mixedFaults: true });
    const { path } = await writeRunReport(run.dir);
    const page = await b.browser.newPage({ viewport: { width: 1300, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`file://${path}`);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 20_000 });
    expect(errors).toEqual([]);

    // Every label's drawn width fits its bar less the 4 px padding each side; a cut label ends in an ellipsis.
    const labels = (await page.evaluate(`[...document.querySelectorAll('#finding-linearizable-0 svg.cex g.cex-op')].map((g) => ({
      text: g.querySelector('text.cex-label').textContent,
      drawn: g.querySelector('text.cex-label').getComputedTextLength(),
      bar: Number(g.querySelector('rect').getAttribute('width')),
      tip: g.querySelector('title').textContent,
    }))`)) as { text: string; drawn: number; bar: number; tip: string }[];
    expect(labels).toHaveLength(4);
    for (const l of labels) {
      expect(l.drawn).toBeGreaterThan(0);
      expect(l.drawn).toBeLessThanOrEqual(l.bar - 8 + 0.5);
      expect(l.text.endsWith('…')).toBe(true);
      // The tooltip holds the whole op, hostile markup as text.
      expect(l.tip.startsWith(`p${l.tip[1]} ${l.text.slice(0, -1)}`)).toBe(true);
    }
    expect(labels.map((l) => l.tip.split(' (')[0])).toEqual([
      `p1 write ${LONG_VALUE} #97`,
      `p2 write ${LONG_VALUE} #98`,
      `p3 write ${LONG_VALUE} #99`,
      `p0 read ${XSS.value}`,
    ]);
    const cex = page.locator('#finding-linearizable-0 .cex-wrap');
    await cex.scrollIntoViewIfNeeded();
    await page.locator('#finding-linearizable-0').screenshot({ path: join(ARTIFACTS, 'report-long-labels-counterexample.png') });

    // Fault rows, top to bottom, by first start: kill n3, partition, then kill n1 and pause n2 (a tie, by
    // name), then kill n2. Read from the canvas: the colour of each row's band.
    const rowColours = (await page.evaluate(`(() => {
      const c = document.getElementById('timeline');
      const ctx = c.getContext('2d');
      const out = [];
      for (let r = 0; r < 5; r++) {
        const d = ctx.getImageData(0, Math.round((4 + r * 16 + 3) * devicePixelRatio), c.width, Math.round(10 * devicePixelRatio)).data;
        // The canvas has no background: a band's pixels are its own colour at its alpha (client-script's FAULT_COLORS).
        const base = { kill: [91, 75, 160], partition: [217, 83, 79], pause: [60, 120, 200] };
        const seen = { kill: 0, partition: 0, pause: 0 };
        for (let i = 0; i < d.length; i += 4) {
          if (d[i + 3] < 100) continue;
          for (const [k, [R, G, B]] of Object.entries(base)) if (Math.abs(d[i] - R) + Math.abs(d[i + 1] - G) + Math.abs(d[i + 2] - B) < 30) seen[k]++;
        }
        out.push(Object.entries(seen).sort((a, b) => b[1] - a[1])[0]);
      }
      return out;
    })()`)) as [string, number][];
    expect(rowColours.map(([k]) => k)).toEqual(['kill', 'partition', 'kill', 'pause', 'kill']);
    for (const [, n] of rowColours) expect(n).toBeGreaterThan(100);
    await page.locator('#timeline-section').screenshot({ path: join(ARTIFACTS, 'report-fault-rows-by-start.png') });
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(await page.locator('#app script, #app img').count()).toBe(0);
    await page.close();
  }, 180_000);
});
