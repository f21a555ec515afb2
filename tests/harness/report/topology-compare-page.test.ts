// The topology compare's report.html: one point per shape and measure, on a log λ2 axis; shapes without a
// time or with a disconnected graph left out; every text escaped.
import { describe, expect, it } from 'vitest';
import { convergencePlot, renderTopologyCompareHtml, type TopologyCompareRow } from '../../../harness/report/html/topology-compare-page.js';

const row = (topology: string, l2: number, w: number | null, h: number | null): TopologyCompareRow => ({
  topology, nodes: 16, links: 15, diameter: 5, algebraicConnectivity: l2, convergeAfterWriteS: w, convergeAfterHealS: h, messagesPerOp: 8.5,
});

// The 16-node table of the first session's notes.
const ROWS = [row('line', 0.038, 0.426, 0.535), row('ring', 0.152, 0.289, 0.408), row('tree', 0.088, 0.245, 0.313), row('grid', 0.586, 0.175, 0.235), row('random-regular', 0.361, 0.16, 0.22), row('complete', 16, 0.099, 0.195)];

const cx = (svg: string, name: string) => Number(new RegExp(`<circle cx="([\\d.]+)"[^>]*/><text[^>]*>${name}<`).exec(svg)![1]);

describe('convergence against connectivity', () => {
  it('plots both measures of every shape, x growing with λ2 on a log axis', () => {
    const svg = convergencePlot(ROWS)!;
    expect(svg.match(/<g class="point">/g)).toHaveLength(12);
    expect(cx(svg, 'line')).toBeLessThan(cx(svg, 'tree'));
    expect(cx(svg, 'tree')).toBeLessThan(cx(svg, 'ring'));
    expect(cx(svg, 'grid')).toBeLessThan(cx(svg, 'complete'));
    // Log scale: 0.038 → 16 spans decades 0.01 .. 100, with a tick at each.
    for (const tick of ['0.010', '0.100', '1.00', '10.0', '100']) expect(svg).toContain(`>${tick}</text>`);
  });

  it('leaves out missing times and disconnected graphs, and says so when nothing is left', () => {
    const svg = convergencePlot([row('line', 0.038, null, 0.5), row('split', 0, 0.1, 0.1)])!;
    expect(svg.match(/<g class="point">/g)).toHaveLength(1);
    expect(convergencePlot([row('line', 0.038, null, null)])).toBeNull();
    expect(renderTopologyCompareHtml({ seed: '1', target: 'builtin', rows: [row('line', 0.038, null, null)] })).toContain('No shape has both');
  });

  it('escapes every text it is given', () => {
    const html = renderTopologyCompareHtml({ seed: '<s>', target: '<t>', config: '"c"', rows: [row('<img src=x onerror=1>', 0.5, 0.2, 0.3)] });
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<s>');
    expect(html).toContain('&lt;img src=x onerror=1&gt;');
  });
});
