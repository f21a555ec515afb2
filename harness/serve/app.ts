/**
 * `faultline serve`'s web app (hono): the run store as pages. `/` lists runs newest first with filters;
 * `/runs/<test>/<id>/` opens a run's report (written on first view for runs older than reports);
 * `.../history`, `.../log`, `.../nodes/<node>.log`, `.../results.json` and `.../run.json` show its files as
 * text; `/compare?run=A&run=B` puts stored runs side by side. Names are checked and paths confined to the
 * store (store-files.ts); every value on a page is escaped.
 */
import { Hono, type Context } from 'hono';
import { stream } from 'hono/streaming';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { listRuns, readResults, type StoredRun } from '../../histories/store.js';
import { openContentStream } from '../../histories/compressed.js';
import type { CheckResult } from '../../checkers/result.js';
import { compareRowFrom } from '../report/compare-table.js';
import { renderCompareHtml } from '../report/html/compare-page.js';
import { escapeHtml as e, REPORT_CSS } from '../report/html/page.js';
import { writeRunReport } from '../report/html/write-report.js';
import { listCompares, nodeLog, nodeLogs, runFile, safeName, insideStore } from './store-files.js';

const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
const REPORT_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

function verdictOf(r: StoredRun): 'valid' | 'invalid' | 'unknown' | 'unreadable' | 'unfinished' {
  if (r.problem) return 'unreadable';
  if (!r.results) return 'unfinished';
  return r.results.valid === true ? 'valid' : r.results.valid === false ? 'invalid' : 'unknown';
}

const VERDICT_CLASS: Record<string, string> = { valid: 'v-valid', invalid: 'v-invalid', unknown: 'v-unknown', unreadable: 'v-unknown', unfinished: 'v-unknown' };

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title><style>${REPORT_CSS}
.runs td { font-size: 13px; } .runs tr:hover td { background: #f6f9ff; }
form.filters { display: flex; gap: 10px; flex-wrap: wrap; align-items: end; margin: 10px 0; }
form.filters label { display: flex; flex-direction: column; font-size: 12px; color: #555; }
</style></head><body><div id="app">${body}</div></body></html>`;
}

function html(c: Context, body: string, csp = PAGE_CSP, status: 200 | 404 | 400 = 200) {
  c.header('Content-Security-Policy', csp);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  return c.html(body, status);
}

function notFound(c: Context, what: string) {
  return html(c, page('not found', `<h1>not found</h1><p>${e(what)}</p><p><a href="/">all runs</a></p>`), PAGE_CSP, 404);
}

export interface RunFilter {
  test?: string;
  verdict?: string;
  target?: string;
  /** YYYY-MM-DD, inclusive. */
  from?: string;
  to?: string;
}

export function filterRuns(runs: StoredRun[], f: RunFilter): StoredRun[] {
  return runs.filter((r) => {
    if (f.test && r.test !== f.test) return false;
    if (f.verdict && verdictOf(r) !== f.verdict) return false;
    if (f.target && r.meta?.config.target !== f.target) return false;
    const day = (r.meta?.startedAt ?? '').slice(0, 10);
    if (f.from && (!day || day < f.from)) return false;
    if (f.to && (!day || day > f.to)) return false;
    return true;
  });
}

function options(name: string, values: string[], chosen: string | undefined): string {
  const opts = ['', ...values].map((v) => `<option value="${e(v)}"${v === (chosen ?? '') ? ' selected' : ''}>${e(v || 'any')}</option>`).join('');
  return `<label>${e(name)}<select name="${e(name)}">${opts}</select></label>`;
}

function listPage(root: string, f: RunFilter): string {
  const all = listRuns(root);
  const runs = filterRuns(all, f);
  const uniq = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => !!x))].sort();
  const filters = `<form class="filters" method="get" action="/">
${options('test', uniq(all.map((r) => r.test)), f.test)}
${options('verdict', ['valid', 'invalid', 'unknown', 'unfinished', 'unreadable'], f.verdict)}
${options('target', uniq(all.map((r) => r.meta?.config.target)), f.target)}
<label>from<input type="date" name="from" value="${e(f.from ?? '')}"></label>
<label>to<input type="date" name="to" value="${e(f.to ?? '')}"></label>
<button type="submit">filter</button> <a href="/">clear</a></form>`;
  const rows = runs
    .map((r) => {
      const v = verdictOf(r);
      const base = `/runs/${encodeURIComponent(r.test)}/${encodeURIComponent(r.id)}`;
      const c = r.meta?.config;
      const s = r.results?.summary;
      const logs = nodeLogs(root, r.test, r.id)
        .map((n) => `<a href="${e(base)}/nodes/${encodeURIComponent(n)}">${e(n.replace(/\.log$/, ''))}</a>`)
        .join(' ');
      return `<tr class="run" data-test="${e(r.test)}" data-verdict="${e(v)}">
<td><input type="checkbox" name="run" value="${e(`${r.test}/${r.id}`)}" form="compare"></td>
<td>${e(r.meta ? r.meta.startedAt.replace('T', ' ').slice(0, 19) : r.id)}</td>
<td><a href="${e(base)}/">${e(r.test)}</a><br><small>${e(r.id)}</small></td>
<td><span class="badge ${VERDICT_CLASS[v]}">${e(v)}</span>${r.problem ? `<br><small>${e(r.problem)}</small>` : ''}</td>
<td>${e(c ? `${c.target} / ${c.config}${c.bug ? ` bug ${c.bug}` : ''}` : '?')}</td>
<td>${e(c ? `${c.workload}, ${c.nodes} nodes` : '')}</td>
<td>${e(r.meta?.seed ?? '')}</td>
<td>${e(String(s?.clientOps ?? '-'))}</td>
<td>${e(String(s?.faults ?? '-'))}${c ? `<br><small>${e(c.nemesis.join(',') || 'none')}</small>` : ''}</td>
<td><a href="${e(base)}/">report</a> · <a href="${e(base)}/history">history</a> · <a href="${e(base)}/log">log</a> · <a href="${e(base)}/results.json">results</a><br><small>nodes: ${logs || '-'}</small></td>
</tr>`;
    })
    .join('\n');
  const compares = listCompares(root)
    .slice(0, 20)
    .map((x) => `<li><a href="/runs/${encodeURIComponent(x.test)}/${encodeURIComponent(x.id)}/">${e(x.test)} ${e(x.id)}</a></li>`)
    .join('');
  return page(
    'faultline runs',
    `<h1>faultline runs <small>(${runs.length} of ${all.length}) in ${e(root)}</small></h1>
${filters}
<form id="compare" method="get" action="/compare"><button type="submit">compare the selected runs side by side</button></form>
<table class="runs" id="runs"><tr><th></th><th>started</th><th>test</th><th>verdict</th><th>target</th><th>workload</th><th>seed</th><th>ops</th><th>faults</th><th>files</th></tr>
${rows || '<tr><td colspan="10">no runs match</td></tr>'}
</table>
${compares ? `<h2>compare runs</h2><ul>${compares}</ul>` : ''}`,
  );
}

function textFile(c: Context, path: string) {
  c.header('Content-Type', 'text/plain; charset=utf-8');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Content-Security-Policy', "default-src 'none'");
  return stream(c, async (s) => {
    const src = openContentStream(path);
    try {
      for await (const chunk of src as AsyncIterable<Buffer>) await s.write(chunk);
    } catch (err) {
      await s.write(`\n[faultline serve: could not read the rest: ${(err as Error).message}]\n`);
    } finally {
      src.destroy();
    }
  });
}

export function createServeApp(root: string): Hono {
  const app = new Hono();

  app.get('/', (c) => {
    const q = (k: string) => {
      const v = c.req.query(k);
      return v === undefined || v === '' ? undefined : v;
    };
    return html(c, listPage(root, { test: q('test'), verdict: q('verdict'), target: q('target'), from: q('from'), to: q('to') }));
  });

  app.get('/runs/:test/:id', (c) => c.redirect(`/runs/${encodeURIComponent(c.req.param('test'))}/${encodeURIComponent(c.req.param('id'))}/`));

  const report = async (c: Context) => {
    const { test, id } = c.req.param() as { test: string; id: string };
    const dir = insideStore(root, test, id);
    if (!dir) return notFound(c, `no run ${test}/${id} in the store`);
    let path = runFile(root, test, id, 'report');
    if (!path && existsSync(join(dir, 'run.json'))) {
      // A run stored before reports existed, or whose report failed: draw it now, once.
      try {
        path = (await writeRunReport(dir)).path;
      } catch (err) {
        return html(c, page('no report', `<h1>no report</h1><p>${e((err as Error).message)}</p>`), PAGE_CSP, 404);
      }
    }
    if (!path) return notFound(c, `${test}/${id} has no report.html`);
    return html(c, readFileSync(path, 'utf8'), REPORT_CSP);
  };
  app.get('/runs/:test/:id/', report);
  app.get('/runs/:test/:id/report.html', report);

  const kinds = { history: 'history', log: 'log', 'results.json': 'results', 'run.json': 'meta' } as const;
  for (const [route, kind] of Object.entries(kinds)) {
    app.get(`/runs/:test/:id/${route}`, (c) => {
      const { test, id } = c.req.param() as { test: string; id: string };
      const path = runFile(root, test, id, kind);
      return path ? textFile(c, path) : notFound(c, `${test}/${id} has no ${route}`);
    });
  }

  app.get('/runs/:test/:id/nodes/:node', (c) => {
    const { test, id, node } = c.req.param() as { test: string; id: string; node: string };
    const path = safeName(node) && node.endsWith('.log') ? nodeLog(root, test, id, node) : undefined;
    return path ? textFile(c, path) : notFound(c, `${test}/${id} has no node log ${node}`);
  });

  app.get('/compare', (c) => {
    const refs = c.req.queries('run') ?? [];
    if (refs.length < 2) return html(c, page('compare', '<h1>compare</h1><p>Select two runs or more on <a href="/">the list</a>.</p>'), PAGE_CSP, 400);
    const rows = [];
    const reports: string[] = [];
    const dirs: string[] = [];
    for (const ref of refs.slice(0, 8)) {
      const [test, id] = ref.split('/');
      const dir = insideStore(root, test, id);
      const results = dir ? readResults(dir) : undefined;
      if (!dir || !results) return notFound(c, `no checked run ${ref} in the store`);
      rows.push(compareRowFrom(`${test} ${id}`, results.checkers as CheckResult[], { opsPerSec: results.summary.opsPerSec, storePath: dir }));
      reports.push(`/runs/${encodeURIComponent(test)}/${encodeURIComponent(id)}/`);
      dirs.push(dir);
    }
    const body = renderCompareHtml({ seed: '(each run its own)', target: 'stored runs', configs: rows.map((r) => r.config), runs: dirs, rows, dir: root }, reports);
    return html(c, body);
  });

  app.notFound((c) => notFound(c, c.req.path));
  app.onError((err, c) => html(c, page('error', `<h1>error</h1><p>${e(err.message)}</p>`), PAGE_CSP, 400));
  return app;
}
