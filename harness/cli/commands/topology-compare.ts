/**
 * `faultline compare --topologies a,b,c`: the same broadcast load over each network shape, twice per shape
 * (once without faults, to time convergence after the last write; once with partitions, to time it after the
 * heal), printed beside the graph's algebraic connectivity so convergence speed can be read against it. The
 * rows go to topologies.json, and report.html plots convergence time against λ2.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../../histories/errors.js';
import { composeValidity, exitCodeFor, type Validity } from '../../../checkers/result.js';
import { runTest, type RunOutcome } from '../../controller.js';
import { loadTarget } from '../../../targets/index.js';
import { randomSeed } from '../../rng.js';
import { algebraicConnectivity, diameter, makeTopology, parseTopologyName, type TopologyName } from '../../topology.js';
import { bold, dim, printJson, println } from '../output.js';
import { renderTopologyCompareHtml, type TopologyCompareRow } from '../../report/html/topology-compare-page.js';
import { messagesPerOp, resolveConfig, withRun, type RunFlags } from './run.js';

/** A page row (the measures of one shape) plus what the command keeps of the runs behind it. */
export interface TopologyRow extends TopologyCompareRow {
  topology: TopologyName;
  valid: Validity;
  runs: string[];
}

function convergenceSeconds(o: RunOutcome): number | null {
  const c = o.check.results.find((r) => r.checker === 'convergence');
  const s = c?.stats.secondsToConverge;
  return typeof s === 'number' ? s : null;
}

const fmt = (x: number | null, unit = ''): string => (x === null ? 'n/a' : `${x < 10 ? x.toFixed(3) : x.toFixed(1)}${unit}`);

export async function topologyCompare(f: RunFlags): Promise<number> {
  if (f.configs) throw new InputError('compare takes --configs or --topologies, not both');
  const names = [...new Set((f.topologies ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(parseTopologyName))];
  if (names.length === 0) throw new InputError('--topologies needs at least one shape, e.g. --topologies line,grid,complete');
  const seed = f.seed ?? randomSeed();
  const config = f.config ?? (f.target === 'builtin' ? 'gossip' : undefined);
  const base: RunFlags = { ...f, seed, workload: 'broadcast', quiescence: '0', rate: f.rate ?? '100', keys: '1' };
  const timeLimit = Number(f.timeLimit);
  const plans: { name: TopologyName; write: RunFlags; heal: RunFlags }[] = names.map((name) => ({
    name,
    write: { ...base, topology: name, nemesis: 'none' },
    heal: { ...base, topology: name, nemesis: 'partition', nemesisInterval: String(Math.max(0.5, timeLimit / 4)) },
  }));
  // Resolve every configuration first, so a bad flag fails before any cluster starts.
  for (const p of plans) {
    await resolveConfig(p.write, config);
    await resolveConfig(p.heal, config);
  }
  if (!f.json) process.stderr.write(`faultline compare: broadcast over ${names.join(', ')} on ${f.target}, seed ${seed}\n`);
  const rows: TopologyRow[] = [];
  await withRun(f, async (signal, observer) => {
    for (const p of plans) {
      const outcomes: RunOutcome[] = [];
      for (const flags of [p.write, p.heal]) {
        const rc = await resolveConfig(flags, config);
        if (!f.json) process.stderr.write(bold(`\n== ${p.name}, ${flags.nemesis === 'none' ? 'no faults' : 'partitions'} ==\n`));
        outcomes.push(await runTest({ target: await loadTarget(rc.target), config: rc, store: f.store, signal, observer, keepData: f.keepData }));
      }
      const nodes = Array.from({ length: outcomes[0].meta.config.nodes }, (_, i) => `n${i + 1}`);
      const graph = makeTopology(p.name, nodes, seed);
      const mpo = messagesPerOp(outcomes[0]);
      rows.push({
        topology: p.name,
        nodes: nodes.length,
        links: Object.values(graph).reduce((s, ns) => s + ns.length, 0) / 2,
        diameter: diameter(graph),
        algebraicConnectivity: algebraicConnectivity(graph),
        convergeAfterWriteS: convergenceSeconds(outcomes[0]),
        convergeAfterHealS: convergenceSeconds(outcomes[1]),
        messagesPerOp: typeof mpo === 'number' ? mpo : null,
        valid: composeValidity(outcomes.map((o) => o.valid)),
        runs: outcomes.map((o) => o.dir),
      });
    }
  });
  const header = ['topology', 'links', 'diameter', 'connectivity (λ2)', 'converge after write', 'converge after heal', 'messages/op', 'valid'];
  const grid = [
    header,
    ...rows.map((r) => [
      r.topology,
      String(r.links),
      String(r.diameter),
      r.algebraicConnectivity.toFixed(3),
      fmt(r.convergeAfterWriteS, ' s'),
      fmt(r.convergeAfterHealS, ' s'),
      r.messagesPerOp === null ? 'n/a' : r.messagesPerOp.toFixed(1),
      r.valid === true ? 'yes' : r.valid === false ? 'no' : 'unknown',
    ]),
  ];
  const widths = header.map((_, c) => Math.max(...grid.map((l) => l[c].length)));
  const lines = grid.map((l) => l.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const text = lines.join('\n');
  const dir = join(f.store, `${f.target}-topologies`, new Date().toISOString().replace(/:/g, '-'));
  mkdirSync(dir, { recursive: true });
  const record = { seed, target: f.target, config, rows };
  writeFileSync(join(dir, 'topologies.json'), JSON.stringify(record, null, 2) + '\n');
  writeFileSync(join(dir, 'topologies.txt'), text + '\n');
  writeFileSync(join(dir, 'report.html'), renderTopologyCompareHtml(record));
  if (f.json) printJson({ ...record, dir });
  else {
    println();
    println(text);
    println(dim(`\nconvergence: from the end of the load (no faults) or the heal to the first round of final reads in which every node held every message (reads every 20 ms)\nstored in ${dir} (report.html plots it)`));
  }
  return exitCodeFor(composeValidity(rows.map((r) => r.valid)));
}
