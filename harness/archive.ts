/**
 * Moving a stored run between machines: `export` packs one run directory (its history, results, report,
 * log and node logs; never the nodes' data) into a .tar.gz as `<test>/<id>/...`; `import` checks every entry
 * of such an archive before extracting anything (plain files and folders only, one run, safe names, a
 * run.json) and unpacks it into a store. The tar format itself is the `tar` package's.
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as tar from 'tar';
import { InputError } from '../histories/errors.js';
import { pointLatest, readMeta } from '../histories/store.js';
import { writeRunReport } from './report/html/write-report.js';

const SAFE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;
/** Folders of a run directory that never travel: the nodes' data, when a run kept it. */
const LEFT_OUT = new Set(['data']);

export interface ExportResult {
  file: string;
  bytes: number;
  files: number;
}

export async function exportRun(dir: string, file: string): Promise<ExportResult> {
  readMeta(dir); // a run directory, readable: refuse anything else before writing
  if (!existsSync(join(dir, 'report.html'))) await writeRunReport(dir);
  const id = basename(dir);
  const test = basename(dirname(dir));
  let files = 0;
  await tar.c(
    {
      gzip: true,
      file,
      cwd: dirname(dirname(dir)),
      portable: true,
      filter: (path) => {
        const rel = path.split('/').slice(2);
        if (rel.length > 0 && LEFT_OUT.has(rel[0])) return false;
        if (rel.length > 0 && rel[rel.length - 1].endsWith('.tmp')) return false;
        files++;
        return true;
      },
    },
    [`${test}/${id}`],
  );
  return { file, bytes: statSync(file).size, files };
}

export interface ImportResult {
  dir: string;
  test: string;
  id: string;
  files: number;
}

/** Read the archive's table of contents and refuse anything but one run of plain files. */
async function inspect(file: string): Promise<{ test: string; id: string; files: number }> {
  const problems: string[] = [];
  const runs = new Set<string>();
  let hasMeta = false;
  let files = 0;
  try {
    await tar.t({
      file,
      strict: true,
      onReadEntry: (entry) => {
        const parts = entry.path.replace(/\/+$/, '').split('/');
        if (entry.type !== 'File' && entry.type !== 'Directory') problems.push(`${entry.path} is a ${entry.type}, not a file or folder`);
        else if (parts.length < 2 || !parts.every((p) => SAFE.test(p))) problems.push(`${entry.path} is not a <test>/<id>/... path of safe names`);
        else {
          runs.add(`${parts[0]}/${parts[1]}`);
          if (parts.length === 3 && parts[2] === 'run.json') hasMeta = true;
          files++;
        }
        entry.resume();
      },
    });
  } catch (err) {
    throw new InputError(`${file} is not a readable .tar.gz: ${(err as Error).message}`);
  }
  if (problems.length) throw new InputError(`${file} is not a faultline run archive: ${problems.slice(0, 3).join('; ')}`);
  if (runs.size !== 1) throw new InputError(`${file} holds ${runs.size === 0 ? 'no run' : `${runs.size} runs`}; an archive from \`faultline export\` holds one`);
  if (!hasMeta) throw new InputError(`${file} has no run.json: not a faultline run archive`);
  const [test, id] = [...runs][0].split('/');
  return { test, id, files };
}

export async function importRun(file: string, store: string): Promise<ImportResult> {
  if (!existsSync(file)) throw new InputError(`no such file: ${file}`);
  const { test, id, files } = await inspect(file);
  const dir = join(store, test, id);
  mkdirSync(store, { recursive: true });
  if (existsSync(dir)) throw new InputError(`the store already holds ${test}/${id} (${dir}); remove it first, or import into another --store`);
  await tar.x({
    file,
    cwd: store,
    strict: true,
    preservePaths: false,
    // Checked above already; checked again entry by entry as it is written.
    filter: (path, entry) => {
      const type = 'type' in entry ? entry.type : undefined;
      return (type === 'File' || type === 'Directory') && path.split('/').filter(Boolean).every((p) => SAFE.test(p)) && path.startsWith(`${test}/${id}`);
    },
  });
  readMeta(dir);
  // `latest` follows the newest run of the test, which the imported one may or may not be.
  const ids = readdirSync(join(store, test)).filter((x) => x !== 'latest' && !x.startsWith('.') && existsSync(join(store, test, x, 'run.json')));
  pointLatest(join(store, test), ids.sort().pop()!);
  return { dir, test, id, files };
}
