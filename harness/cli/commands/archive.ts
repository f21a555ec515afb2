/** `faultline export RUN -o FILE.tar.gz` and `faultline import FILE.tar.gz`: a run, with its report, between machines. */
import { resolveRun } from '../../../histories/store.js';
import { EXIT } from '../../../checkers/result.js';
import { InputError } from '../../../histories/errors.js';
import { exportRun, importRun } from '../../archive.js';
import { dim, printJson, println } from '../output.js';

export async function exportCommand(ref: string, opts: { store: string; output?: string; json?: boolean }): Promise<number> {
  const dir = resolveRun(opts.store, ref);
  if (!opts.output) throw new InputError('export needs -o FILE.tar.gz');
  const r = await exportRun(dir, opts.output);
  if (opts.json) printJson({ run: dir, ...r });
  else println(`exported ${dir} to ${r.file} ${dim(`(${r.files} entries, ${(r.bytes / 1e6).toFixed(2)} MB)`)}`);
  return EXIT.valid;
}

export async function importCommand(file: string, opts: { store: string; json?: boolean }): Promise<number> {
  const r = await importRun(file, opts.store);
  if (opts.json) printJson(r);
  else println(`imported ${r.test}/${r.id} into ${r.dir} ${dim(`(faultline show ${r.test}/${r.id} --store ${opts.store}; report: ${r.dir}/report.html)`)}`);
  return EXIT.valid;
}
