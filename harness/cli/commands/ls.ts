/** `faultline ls` and `faultline show RUN`: what the run store holds. */
import { existsSync, readFileSync } from 'node:fs';
import { listRuns, readMeta, readResults, resolveRun, runPaths, type StoredRun } from '../../../histories/store.js';
import { EXIT } from '../../../checkers/result.js';
import { bold, dim, printJson, println, table, verdictWord } from '../output.js';
import { renderLinearResult } from '../../report/linear-text.js';
import { rerunCommand } from '../rerun.js';
import { workloadOf } from '../../workloads/index.js';

function verdictOf(run: StoredRun): string {
  if (run.problem) return 'unreadable';
  if (run.results) return run.results.valid === true ? 'valid' : run.results.valid === false ? 'invalid' : 'unknown';
  return run.meta?.status ?? 'unknown';
}

export function lsCommand(opts: { store: string; json?: boolean; limit?: string }): number {
  let runs = listRuns(opts.store);
  if (opts.limit) runs = runs.slice(0, Math.max(0, Number(opts.limit)));
  if (opts.json) {
    for (const r of runs) {
      printJson({
        run: `${r.test}/${r.id}`,
        dir: r.dir,
        test: r.test,
        time: r.meta?.startedAt,
        verdict: verdictOf(r),
        ops: r.results?.summary.ops,
        faults: r.results?.summary.faults,
        seed: r.meta?.seed,
        problem: r.problem,
      });
    }
    return EXIT.valid;
  }
  if (runs.length === 0) {
    println(`no runs stored under ${opts.store}/ yet (start one with \`faultline run\`)`);
    return EXIT.valid;
  }
  const rows = [['RUN', 'TIME', 'VERDICT', 'OPS', 'FAULTS', 'SEED']];
  for (const r of runs) {
    rows.push([
      `${r.test}/${r.id}`,
      r.meta ? new Date(r.meta.startedAt).toLocaleString() : '?',
      r.problem ? 'unreadable' : r.results ? verdictWord(r.results.valid) : (r.meta?.status ?? '?'),
      String(r.results?.summary.ops ?? '-'),
      String(r.results?.summary.faults ?? '-'),
      r.meta?.seed ?? '-',
    ]);
  }
  println(table(rows));
  return EXIT.valid;
}

export function showCommand(ref: string, opts: { store: string; json?: boolean }): number {
  const dir = resolveRun(opts.store, ref);
  const meta = readMeta(dir);
  const results = readResults(dir);
  const paths = runPaths(dir);
  if (opts.json) {
    printJson({ dir, meta, results });
    return EXIT.valid;
  }
  const c = meta.config;
  println(`${bold(meta.test)} ${dim(meta.id)}  ${dir}`);
  println(`  started ${meta.startedAt}${meta.finishedAt ? `, finished ${meta.finishedAt}` : ''} (${meta.status})`);
  if (meta.error) println(`  error: ${meta.error}`);
  println(`  target ${c.target} config ${c.config}${c.bug ? ` bug ${c.bug}` : ''} on ${c.runtime}, ${c.nodes} nodes`);
  const over = workloadOf(c.workload).keyless ? '' : ` over ${c.keys} keys`;
  println(`  workload ${c.workload}${over}, ${c.concurrency} clients, ${c.timeLimit} s, nemesis ${c.nemesis.join(',') || 'none'} every ~${c.nemesisInterval} s`);
  println(`  seed ${meta.seed}`);
  println(`  rerun: ${rerunCommand(c)}`);
  const versions = Object.entries(meta.versions).map(([k, v]) => `${k} ${v}`).join(', ');
  if (versions) println(`  versions: ${versions}`);
  if (!results) {
    println(`  no results.json: the run did not reach the check phase`);
    return EXIT.valid;
  }
  const s = results.summary;
  println(`  ${s.ops} history events, ${s.clientOps} client ops, ${s.faults} fault${s.faults === 1 ? '' : 's'}, ${s.durationS.toFixed(1)} s, ${s.opsPerSec.toFixed(0)} ops/s`);
  if (s.cap) println(`  CAP: ${s.cap}`);
  println(`  verdict: ${verdictWord(results.valid)}`);
  for (const r of results.checkers) {
    const reported = r.enforced === false ? dim(' (reported, not promised by this config)') : '';
    println(`    ${r.checker}: ${verdictWord(r.valid)}${reported}`);
    const detail = renderLinearResult(r, 2);
    if (detail) println(detail.replace(/^/gm, '    '));
  }
  if (existsSync(paths.log)) {
    const lines = readFileSync(paths.log, 'utf8').split('\n').length - 1;
    println(dim(`  structured log: ${paths.log} (${lines} lines)`));
  }
  return EXIT.valid;
}
