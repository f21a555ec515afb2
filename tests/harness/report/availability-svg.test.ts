/** The compare page's picture: one panel per configuration on a shared axis, aligned on the load, nothing unescaped. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readJsonl } from '../../../histories/jsonl-reader.js';
import { readMeta, readResults } from '../../../histories/store.js';
import { buildReportData } from '../../../harness/report/html/report-data.js';
import { availabilityStrip, type AvailabilityStrip } from '../../../harness/report/availability-strip.js';
import { availabilitySvg } from '../../../harness/report/html/availability-svg.js';
import { renderCompareHtml } from '../../../harness/report/html/compare-page.js';
import { makeFixtureRun, type FixtureOptions } from './fixture-run.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function fixtureStrip(fixture: FixtureOptions = {}): Promise<AvailabilityStrip> {
  const d = mkdtempSync(join(tmpdir(), 'faultline-strip-'));
  dirs.push(d);
  const run = makeFixtureRun(d, fixture);
  const { ops } = await readJsonl(join(run.dir, 'history.jsonl'));
  const strip = availabilityStrip(buildReportData({ meta: readMeta(run.dir), results: readResults(run.dir), ops, source: 'x' }));
  if (!strip) throw new Error('the fixture history has times, so it must give a strip');
  return strip;
}

const rects = (svg: string, fill: string) => svg.split(`fill="${fill}"`).length - 1;

describe('availability strip and picture', () => {
  it('cuts the bins and fault bands from the report data, aligned on the first client op', async () => {
    const s = await fixtureStrip();
    expect(s.ok.length).toBe(s.fail.length);
    expect(s.ok.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(s.faults.map((f) => f.row)).toEqual(['partition', 'kill n2']);
    expect(s.origin).toBeGreaterThanOrEqual(s.t0);
  });

  it('draws one panel per configuration, with its fault rows and stacked bars, and says when a run has no times', async () => {
    const s = await fixtureStrip();
    const svg = availabilitySvg(['cp', 'ap', 'imported'], [s, { ...s, fail: s.fail.map(() => 0) }, null]);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('>cp</text>');
    expect(svg).toContain('>ap</text>');
    expect(svg).toContain('no times in this history');
    expect(svg.split('>partition</text>').length - 1).toBe(2);
    const failBars = rects(svg, '#c62828') - 1; // minus the legend swatch
    const okBars = rects(svg, '#2e7d32') - 1;
    expect(okBars).toBeGreaterThan(0);
    // The second panel has its failures zeroed: every red bar comes from the first.
    expect(failBars).toBe(s.fail.filter((v, b) => v > 0 && s.t0 + (b + 1) * s.binMs > s.origin).length);
    expect(availabilitySvg(['x'], [null])).toBe('');
  });

  it('lists the fault rows in the order the faults first started, ties by name', async () => {
    const svg = availabilitySvg(['mixed'], [await fixtureStrip({ mixedFaults: true })]);
    const rows = [...svg.matchAll(/<text x="\d+" y="\d+" text-anchor="end" font-size="10" fill="#555">([^<]+)<\/text>/g)].map((m) => m[1]).filter((t) => !t.endsWith('/s') && t !== '0');
    expect(rows).toEqual(['kill n3', 'partition', 'kill n1', 'pause n2', 'kill n2']);
  });

  it('shifts a panel whose cluster took longer to start so the same fault lines up', async () => {
    const s = await fixtureStrip();
    const late = { ...s, origin: s.origin + 2000, t0: s.t0 + 2000, spanMs: s.spanMs + 2000, faults: s.faults.map((f) => ({ ...f, start: f.start + 2000, end: f.end + 2000 })) };
    const svg = availabilitySvg(['a', 'b'], [s, late]);
    const starts = [...svg.matchAll(/<rect x="([\d.]+)" y="\d+" width="[\d.]+" height="9" fill="#e57373"/g)].map((m) => m[1]);
    expect(starts.length).toBe(2);
    expect(starts[0]).toBe(starts[1]);
  });

  it('escapes every label: configuration names and fault labels come from outside', async () => {
    const s = await fixtureStrip();
    const evil = '<img src=x onerror=alert(1)>';
    const strip = { ...s, faults: s.faults.map((f) => ({ ...f, row: evil, label: evil })) };
    const html = renderCompareHtml({ seed: '1', target: 't', configs: [evil], runs: ['r'], rows: [], dir: 'd', strips: [strip] }, [undefined]);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img');
    expect(html).toContain('Answers under faults');
  });
});
