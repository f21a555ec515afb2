// The report's network picture: which links a partition cut (and which way), killed nodes and traitors, the
// shape a broadcast run was given, hostile node names kept as text, and its place in report.html.
import { describe, expect, it } from 'vitest';
import { topologyData, MAX_TOPOLOGY_NODES } from '../../../harness/report/html/topology-data.js';
import { topologySvg } from '../../../harness/report/html/topology-svg.js';
import { renderReportHtml } from '../../../harness/report/html/page.js';
import { buildReportData } from '../../../harness/report/html/report-data.js';
import type { Op } from '../../../histories/op.js';
import type { RunMeta } from '../../../histories/run-record.js';
import { XSS } from './fixture-run.js';

let index = 0;
const op = (o: Record<string, unknown>): Op => ({ index: index++, ...o }) as Op;
const nem = (f: string, value: unknown): Op => op({ type: 'info', process: 'nemesis', f, value });

function meta(nodes: number, topology?: string): RunMeta {
  return {
    id: 'x', test: 't', startedAt: '', status: 'done', seed: '1', versions: {}, faultSchedule: [],
    config: { target: 'builtin', config: 'gossip', runtime: 'sim', nodes, workload: 'broadcast', keys: 1, concurrency: 1, timeLimit: 1, nemesis: [], nemesisInterval: 1, opTimeout: 1, quiescence: 0, convergenceBound: 1, maxOps: 10, seed: '1', ...(topology ? { topology } : {}) },
  } as unknown as RunMeta;
}

describe('topology data', () => {
  it('a complete network of a run: cuts counted per direction and window, kills and traitors per node', () => {
    const ops = [
      nem('start-partition', { shape: 'majority-minority', grudge: { n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] } }),
      nem('stop-partition', { shape: 'majority-minority', grudge: { n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] } }),
      nem('start-partition', { shape: 'one-way', grudge: { n3: ['n2'], n1: [], n2: [] } }),
      nem('start-kill', { nodes: ['n2'] }),
      nem('start-equivocate', { traitors: ['n3'], nodes: ['n3'], rate: 0.5 }),
    ];
    const t = topologyData(ops, meta(3))!;
    expect(t.shape).toBe('complete');
    expect(t.nodes).toEqual(['n1', 'n2', 'n3']);
    expect(t.partitions).toBe(2);
    const link = (a: string, b: string) => t.links.find((l) => l.a === a && l.b === b);
    expect(link('n1', 'n2')).toMatchObject({ cutAB: 1, cutBA: 1 });
    expect(link('n1', 'n3')).toMatchObject({ cutAB: 1, cutBA: 1 });
    expect(link('n2', 'n3')).toMatchObject({ cutAB: 0, cutBA: 1 });
    expect(t.faults.n2.down).toEqual({ kill: 1 });
    expect(t.faults.n3.traitor).toBe(true);
    expect(t.faults.n1).toEqual({ down: {}, traitor: false });
  });

  it('a node taken down by a fault no code names is ringed and banded, because its value says node-down', () => {
    const ops = [
      nem('start-freeze-all', { effect: 'node-down', nodes: ['n1', 'n2'] }),
      nem('stop-freeze-all', { effect: 'node-down', nodes: ['n1', 'n2'] }),
      nem('start-jam', { effect: 'link', nodes: ['n3'] }),
    ];
    const t = topologyData(ops, meta(3))!;
    expect(t.faults.n1.down).toEqual({ 'freeze-all': 1 });
    expect(t.faults.n3.down).toEqual({});
    const svg = topologySvg(t);
    expect(svg).toContain('n1: down (freeze-all) in 1 window');
    expect(svg.match(/stroke:#6a1b9a/g)).toHaveLength(2);
    const data = buildReportData({ meta: meta(3), results: undefined, ops, source: 'x' });
    expect(data.faults.map((f) => [f.row, f.label])).toEqual([
      ['freeze-all n1', 'n1 down (freeze-all)'],
      ['freeze-all n2', 'n2 down (freeze-all)'],
      ['jam', expect.stringMatching(/^jam /)],
    ]);
  });

  it('a broadcast run on a line: only the line links are drawn, other cut pairs are counted', () => {
    const t = topologyData([nem('start-partition', { grudge: { n1: ['n3'], n3: ['n1'], n2: [] } })], meta(3, 'line'))!;
    expect(t.shape).toBe('line');
    expect(t.links.map((l) => `${l.a}-${l.b}`).sort()).toEqual(['n1-n2', 'n2-n3']);
    expect(t.links.every((l) => l.cutAB + l.cutBA === 0)).toBe(true);
    expect(t.otherCuts).toBe(1);
  });

  it('a history without run.json: nodes from the history; under two nodes there is no picture; too many are not drawn', () => {
    expect(topologyData([op({ type: 'invoke', process: 0, f: 'read', node: 'a' })])).toBeNull();
    const t = topologyData([op({ type: 'invoke', process: 0, f: 'read', node: 'a' }), nem('start-partition', { grudge: { a: ['b'] } })])!;
    expect(t.nodes).toEqual(['a', 'b']);
    expect(t.links).toEqual([{ a: 'a', b: 'b', cutAB: 1, cutBA: 0 }]);
    const many = Array.from({ length: MAX_TOPOLOGY_NODES + 1 }, (_, i) => op({ type: 'invoke', process: 0, f: 'read', node: `m${i}` }));
    expect(topologyData(many)!.omitted).toMatch(/too many to draw/);
  });
});

describe('topology svg', () => {
  it('draws every node and link, cut links marked by direction, and keeps hostile names as text', () => {
    const ops = [
      op({ type: 'invoke', process: 0, f: 'read', node: XSS.node }),
      op({ type: 'invoke', process: 1, f: 'read', node: 'n2' }),
      op({ type: 'invoke', process: 2, f: 'read', node: '<b>&' }),
      nem('start-partition', { grudge: { [XSS.node]: ['n2'], n2: [XSS.node] } }),
      nem('start-partition', { grudge: { '<b>&': ['n2'] } }),
    ];
    const svg = topologySvg(topologyData(ops)!);
    expect(svg.match(/<circle /g)).toHaveLength(3);
    expect(svg.match(/<line /g)).toHaveLength(3);
    expect(svg.match(/class="link cut"/g)).toHaveLength(1);
    expect(svg.match(/class="link cut-one-way"/g)).toHaveLength(1);
    expect(svg).not.toContain('<svg onload');
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('&lt;b&gt;&amp;');
    expect(svg).toContain('heard nothing from n2 in 1 partition window');
  });

  it('report.html carries the picture in a template the page places, and no raw name', () => {
    const ops = [op({ type: 'invoke', process: 0, f: 'read', node: XSS.node }), op({ type: 'ok', process: 0, f: 'read', node: 'n2', value: 1 })];
    const html = renderReportHtml(buildReportData({ ops, source: 'h.jsonl' }));
    expect(html).toMatch(/<template id="topology-svg"><svg [^]*<\/svg><\/template>/);
    expect(html).not.toContain('<svg onload');
  });
});
