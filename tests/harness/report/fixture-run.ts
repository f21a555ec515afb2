/**
 * A stored run made by hand for the report and serve tests: a failing register run under a partition and a
 * kill, whose node answers hostile strings (markup and script) in every field a report shows.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunMeta, RunResults } from '../../../histories/run-record.js';

export const XSS = {
  key: '"><img src=x onerror="window.__xss=1">',
  value: '<script>window.__xss=2</script>',
  error: '</script><script>window.__xss=3</script>',
  message: 'p1 read <img src=x onerror="window.__xss=4"> which nobody wrote',
  node: 'n1"><svg onload="window.__xss=5">',
};

export interface FixtureRun {
  dir: string;
  test: string;
  id: string;
  /** The history index of the op the finding names (the stale read's invoke). */
  badInvoke: number;
}

/** A hostile value longer than any bar of the counterexample picture can hold. */
export const LONG_VALUE = `${XSS.value} ${'a-very-long-value-'.repeat(6)}end`;

export interface FixtureOptions {
  id?: string;
  test?: string;
  ops?: number;
  valid?: boolean;
  seed?: string;
  /** The writes just before the stale read carry LONG_VALUE-style values, and the counterexample holds them. */
  longLabels?: boolean;
  /** Faults whose name order is not their start order: kill n3 first, then the partition, then kill n1 and
   * pause n2 starting together (a tie), then kill n2. The default is the partition, then kill n2. */
  mixedFaults?: boolean;
}

export function makeFixtureRun(store: string, o: FixtureOptions = {}): FixtureRun {
  const test = o.test ?? 'builtin-raft-stale-reads-register';
  const id = o.id ?? '2026-01-02T03-04-05.000Z';
  const dir = join(store, test, id);
  mkdirSync(join(dir, 'nodes'), { recursive: true });
  writeFileSync(join(dir, 'nodes', 'n1.log'), `node n1 says ${XSS.value}\n`);
  const lines: Record<string, unknown>[] = [];
  const add = (op: Record<string, unknown>) => lines.push({ index: lines.length, ...op });
  const ms = (x: number) => Math.round(x * 1e6);
  const n = o.ops ?? 400;
  let t = 1;
  let badInvoke = -1;
  const invokeOf: number[] = [];
  const longValue = (i: number) => `${LONG_VALUE} #${i}`;
  const grudge = { shape: 'majority-minority', grudge: { n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] } };
  for (let i = 0; i < n; i++) {
    const p = i % 4;
    if (o.mixedFaults) {
      if (i === 10) add({ type: 'info', process: 'nemesis', time: ms(t), f: 'start-kill', value: { nodes: ['n3'] } });
      if (i === 30) add({ type: 'info', process: 'nemesis', time: ms(t), f: 'stop-kill', value: { nodes: ['n3'] } });
      if (i === 40) add({ type: 'info', process: 'nemesis', time: ms(t), f: 'start-partition', value: grudge });
      if (i === 120) add({ type: 'info', process: 'nemesis', time: ms(t), f: 'stop-partition', value: grudge });
      if (i === 150) {
        add({ type: 'info', process: 'nemesis', time: ms(t), f: 'start-pause', value: { nodes: ['n2'] } });
        add({ type: 'info', process: 'nemesis', time: ms(t), f: 'start-kill', value: { nodes: ['n1'] } });
      }
      if (i === 170) {
        add({ type: 'info', process: 'nemesis', time: ms(t), f: 'stop-kill', value: { nodes: ['n1'] } });
        add({ type: 'info', process: 'nemesis', time: ms(t), f: 'stop-pause', value: { nodes: ['n2'] } });
      }
      if (i === 200) add({ type: 'info', process: 'nemesis', time: ms(t), f: 'start-kill', value: { nodes: ['n2'] } });
      if (i === 260) add({ type: 'info', process: 'nemesis', time: ms(t), f: 'stop-kill', value: { nodes: ['n2'] } });
    } else {
      if (i === 40) add({ type: 'info', process: 'nemesis', time: ms(t), f: 'start-partition', value: grudge });
      if (i === 120) add({ type: 'info', process: 'nemesis', time: ms(t), f: 'stop-partition', value: grudge });
      if (i === 200) add({ type: 'info', process: 'nemesis', time: ms(t), f: 'start-kill', value: { nodes: ['n2'] } });
      if (i === 260) add({ type: 'info', process: 'nemesis', time: ms(t), f: 'stop-kill', value: { nodes: ['n2'] } });
    }
    const bad = i === 100;
    const f = bad || i % 3 === 0 ? 'read' : 'write';
    const inv = lines.length;
    invokeOf[i] = inv;
    if (bad) badInvoke = inv;
    const long = o.longLabels === true && i >= 97 && i < 100;
    const written = long ? longValue(i) : i;
    add({ type: 'invoke', process: p, time: ms(t), f: long ? 'write' : f, key: bad ? XSS.key : 1, value: f === 'read' && !long ? null : written, node: bad ? XSS.node : 'n1' });
    t += 0.5;
    const type = bad || long ? 'ok' : i % 11 === 5 ? 'fail' : i % 37 === 7 ? 'info' : 'ok';
    add({ type, process: p, time: ms(t + (i % 5) * 0.3), f: long ? 'write' : f, key: bad ? XSS.key : 1, value: bad ? XSS.value : long ? written : f === 'read' ? i - 1 : i, node: bad ? XSS.node : 'n1', ...(type === 'fail' ? { error: XSS.error } : {}) });
    t += 0.2;
  }
  for (const node of ['n1', 'n2', 'n3']) {
    add({ type: 'invoke', process: 1_000_000_000, time: ms(t), f: 'final-read', key: 1, value: null, node, round: 0 });
    add({ type: 'ok', process: 1_000_000_000, time: ms(t + 0.1), f: 'final-read', key: 1, value: node === 'n3' ? XSS.value : 7, node, round: 0 });
  }
  writeFileSync(join(dir, 'history.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const config: RunMeta['config'] = {
    target: 'builtin', config: 'raft', bug: 'stale-reads', runtime: 'sim', nodes: 3, workload: 'register', keys: 1, concurrency: 4,
    timeLimit: 1, nemesis: ['partition', 'kill'], nemesisInterval: 1, opTimeout: 1, quiescence: 0, convergenceBound: 1, maxOps: 1000, seed: o.seed ?? '7',
  };
  const meta: RunMeta = {
    id, test, startedAt: '2026-01-02T03:04:05.000Z', finishedAt: '2026-01-02T03:04:07.000Z', status: 'done', seed: config.seed, config,
    versions: { faultline: '0.1.0', builtin: XSS.value }, faultSchedule: [],
  };
  writeFileSync(join(dir, 'run.json'), JSON.stringify(meta));
  const valid = o.valid ?? false;
  // The counterexample: the stale read, and with long labels the three writes before it (each completes right
  // after its invoke, so an invoke and its completion are adjacent lines).
  const cexOps = (o.longLabels ? [97, 98, 99, 100] : [100]).flatMap((i) => [lines[invokeOf[i]], lines[invokeOf[i] + 1]]);
  const results: RunResults = {
    valid,
    checkers: [
      {
        checker: 'linearizable', valid, enforced: true, stats: { model: 'cas-register' },
        anomalies: valid ? [] : [{
          kind: 'nonlinearizable', key: XSS.key, message: XSS.message,
          prefix: { length: 3, omitted: 0, ops: [{ process: 1, op: `write ${XSS.value}`, invokeIndex: 2, completionIndex: 3, type: 'ok' }], state: XSS.value, blocked: { process: 0, op: `read → ${XSS.value}`, invokeIndex: badInvoke, type: 'ok' }, states: [XSS.value] },
          counterexample: { ops: cexOps, indices: cexOps.map((l) => l.index as number), timeline: [{ process: 0, op: `read → ${XSS.value}`, invokeIndex: badInvoke, completionIndex: badInvoke + 1, type: 'ok' }], explanation: XSS.message, minimal: true },
          indices: [badInvoke, badInvoke + 1],
        }],
      },
      { checker: 'convergence', valid: true, enforced: false, stats: { nodes: ['n1', 'n2', 'n3'] }, anomalies: [] },
    ],
    summary: { ops: lines.length, clientOps: n, faults: 2, durationS: 1, opsPerSec: n, cap: `neither: ${XSS.message}` },
  };
  writeFileSync(join(dir, 'results.json'), JSON.stringify(results));
  return { dir, test, id, badInvoke };
}
