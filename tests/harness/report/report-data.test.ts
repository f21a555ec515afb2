/** The report's data and page: what is kept when a history is downsampled, and that no value can become markup. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readJsonl } from '../../../histories/jsonl-reader.js';
import { readMeta, readResults } from '../../../histories/store.js';
import { buildReportData, indicesOf, niceStep } from '../../../harness/report/html/report-data.js';
import type { Op } from '../../../histories/op.js';
import { jsonForScript, renderReportHtml } from '../../../harness/report/html/page.js';
import { writeRunReport } from '../../../harness/report/html/write-report.js';
import { makeFixtureRun, XSS, type FixtureOptions } from './fixture-run.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'faultline-report-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function fixtureData(maxDrawn?: number, fixture: FixtureOptions = {}) {
  const run = makeFixtureRun(tmp(), fixture);
  const { ops } = await readJsonl(join(run.dir, 'history.jsonl'));
  return { run, data: buildReportData({ meta: readMeta(run.dir), results: readResults(run.dir), ops, source: 'x', maxDrawn }) };
}

describe('report data', () => {
  it('names the failing op, draws fault bands per kind and node, and keeps the last round of final reads', async () => {
    const { run, data } = await fixtureData();
    expect(data.flagged[0]).toBe(run.badInvoke);
    expect(data.faults.map((f) => f.row)).toEqual(['partition', 'kill n2']);
    expect(data.faults[0].label).toMatch(/majority-minority: .*n1.*\|/);
    expect(data.faults[0].end).toBeGreaterThan(data.faults[0].start);
    expect(data.finals.map((f) => f.node)).toEqual(['n1', 'n2', 'n3']);
    expect(data.lanes).toEqual(['client 0', 'client 1', 'client 2', 'client 3', 'final reads']);
    expect(data.perf.ok.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('bins the rate and latency curves by the span of the history, down to microseconds', () => {
    // 200 writes of 1 µs each, one every 2 µs: 0.4 ms in all. Bins of whole ms would put them all in one.
    for (const [stepNs, span] of [
      [2_000, 0.4],
      [50_000_000, 10_000],
    ] as const) {
      const ops: Op[] = [];
      for (let k = 0; k < 200; k++) {
        ops.push({ index: ops.length, time: k * stepNs, type: 'invoke', process: k % 4, f: 'write', value: k } as Op);
        ops.push({ index: ops.length, time: k * stepNs + stepNs / 2, type: 'ok', process: k % 4, f: 'write', value: k } as Op);
      }
      const { perf } = buildReportData({ ops, source: 'x' });
      expect(perf.binMs).toBe(niceStep(span / 300));
      expect(perf.t.length).toBeGreaterThan(100);
      for (let b = 1; b < perf.t.length; b++) expect(perf.t[b]).toBeGreaterThan(perf.t[b - 1]);
      // Rates times bin widths give back every completion.
      expect(Math.round(perf.ok.reduce((a, r) => a + (r * perf.binMs) / 1000, 0))).toBe(200);
      // Each op took half a step: the median latency says so, in ms.
      expect(perf.p50.find((v) => v !== null)).toBeCloseTo(stepNs / 2 / 1e6, 6);
    }
    expect([niceStep(0), niceStep(0.0013), niceStep(0.02), niceStep(3), niceStep(33.4), niceStep(100)]).toEqual([1, 0.002, 0.02, 5, 50, 100]);
  });

  it('orders the fault rows by when each first started, ties by name', async () => {
    expect((await fixtureData()).data.faultRows).toEqual(['partition', 'kill n2']);
    const { data } = await fixtureData(undefined, { mixedFaults: true });
    // By name this would be kill n1, kill n2, kill n3, partition, pause n2.
    expect(data.faultRows).toEqual(['kill n3', 'partition', 'kill n1', 'pause n2', 'kill n2']);
    expect(new Set(data.faults.map((f) => f.row))).toEqual(new Set(data.faultRows));
  });

  it('downsampling keeps every op a finding names and every info op', async () => {
    const { run, data } = await fixtureData(20);
    expect(data.sampled.total).toBe(403);
    expect(data.sampled.drawn).toBeLessThan(60);
    expect(data.ops.invoke).toContain(run.badInvoke);
    // The fixture's info ops: i % 37 === 7 unless that op failed (i % 11 === 5) or is the stale read (100).
    let expected = 0;
    for (let i = 0; i < 400; i++) if (i !== 100 && i % 11 !== 5 && i % 37 === 7) expected++;
    expect(data.ops.kind.filter((k) => k === 2).length).toBe(expected);
  });

  it('a linearizability finding names its blocked op and counterexample, not its whole prefix', () => {
    const f = { kind: 'nonlinearizable', prefix: { ops: [{ invokeIndex: 2 }], blocked: { invokeIndex: 9 } }, indices: [9, 10], counterexample: { plain: { indices: [1] } } };
    expect(indicesOf(f).sort()).toEqual([10, 9, 9].sort());
  });
});

describe('report page', () => {
  it('embeds the data so that no value can close the script element or run', async () => {
    const { data } = await fixtureData();
    const html = renderReportHtml(data);
    const block = html.slice(html.indexOf('<script type="application/json"'), html.indexOf('</script>', html.indexOf('<script type="application/json"')));
    expect(block).not.toMatch(/<script>|<\/script|<img|<svg/i);
    expect(block).toContain('\\u003cscript\\u003ewindow.__xss=2');
    // The embedded JSON is exactly the data, once unescaped by the browser's JSON.parse.
    const json = block.slice(block.indexOf('>') + 1);
    expect(JSON.parse(json).title).toBe(data.title);
    expect(JSON.parse(json).ops.text.flat()).toContain(XSS.value);
    expect(jsonForScript({ s: '</script><!--\u2028' })).toBe('{"s":"\\u003c/script\\u003e\\u003c!--\\u2028"}');
    // Self-contained: no fetch of anything.
    expect(html).not.toMatch(/<(link|img|iframe)\b|src=["']https?:|@import/i);
    expect(html).toContain('uPlot');
  });

  it('is written beside the run, within the size budget', async () => {
    const run = makeFixtureRun(tmp());
    const w = await writeRunReport(run.dir);
    expect(w.path).toBe(join(run.dir, 'report.html'));
    expect(readFileSync(w.path, 'utf8')).toContain('<script type="application/json" id="report-data">');
    expect(w.bytes).toBeLessThan(500_000);
  });
});
