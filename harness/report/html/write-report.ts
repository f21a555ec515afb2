/**
 * Writing report.html: for a run that has just been checked (its ops already in memory), for a stored run
 * (read back from its directory, gzipped history or not), or for any history file faultline can read.
 */
import { renameSync, writeFileSync } from 'node:fs';
import type { Op } from '../../../histories/op.js';
import type { RunMeta, RunResults } from '../../../histories/run-record.js';
import { historyFile, readMeta, readResults, runPaths } from '../../../histories/store.js';
import { readJsonl } from '../../../histories/jsonl-reader.js';
import { loadHistory } from '../../../histories/load.js';
import { buildReportData, type ReportData } from './report-data.js';
import { renderReportHtml } from './page.js';

export interface WrittenReport {
  path: string;
  bytes: number;
  ms: number;
  data: ReportData;
}

function writeAtomically(path: string, html: string): number {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, html);
  renameSync(tmp, path);
  return Buffer.byteLength(html);
}

/** report.html for a run whose history is in memory (the end of `run`). */
export function writeReportFor(out: string, input: { meta?: RunMeta; results?: RunResults; ops: Op[]; source: string; warnings?: string[] }): WrittenReport {
  const started = performance.now();
  const data = buildReportData(input);
  const bytes = writeAtomically(out, renderReportHtml(data));
  return { path: out, bytes, ms: performance.now() - started, data };
}

/** report.html inside a stored run directory, from what the directory holds. */
export async function writeRunReport(dir: string, out = runPaths(dir).report): Promise<WrittenReport> {
  const meta = readMeta(dir);
  const results = readResults(dir);
  const file = historyFile(dir);
  const { ops, warnings } = await readJsonl(file);
  return writeReportFor(out, { meta, results, ops, source: file, warnings });
}

/** A report of a history file alone (Jepsen EDN, jepsen.log, Porcupine, our JSONL): the timeline and charts, no verdict. */
export async function writeHistoryReport(file: string, out: string, results?: RunResults): Promise<WrittenReport> {
  const h = await loadHistory(file);
  return writeReportFor(out, { ops: h.ops, results, source: `${file} (${h.format})`, warnings: h.warnings });
}
