/**
 * Set-style histories at scale (issue 10): a g-set history of whole-set reads under partitions, about 500 MB
 * (`--mb N` to change), written to a temporary file and checked by `faultline check FILE --checker set` as a
 * user runs it, and by `faultline check FILE` with no checker named (which streams a set history this large to
 * the set checker in its linearizable mode). Prints the file's size, ops, wall and CPU time and the child's peak RSS (GNU time), for the
 * valid history and for its twin that loses one element. The file is removed afterwards.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gsetHistoryLines } from './gen-histories.js';

function cliPath(): string {
  let dir = fileURLToPath(new URL('..', import.meta.url));
  if (dir.replace(/\/$/, '').endsWith('dist')) dir = join(dir, '..');
  return join(dir, 'bin', 'faultline.js');
}

/** Write the history line by line, in 4 MB batches: never held whole. */
function writeHistory(path: string, bytes: number, bad: boolean): number {
  const fd = openSync(path, 'w');
  let lines = 0;
  let batch: string[] = [];
  let size = 0;
  try {
    for (const l of gsetHistoryLines({ seed: 1, bytes, bad })) {
      batch.push(l);
      size += l.length;
      lines++;
      if (size > 4 << 20) {
        writeSync(fd, batch.join('\n') + '\n');
        batch = [];
        size = 0;
      }
    }
    if (batch.length > 0) writeSync(fd, batch.join('\n') + '\n');
  } finally {
    closeSync(fd);
  }
  return lines;
}

export function main(argv: string[] = []): Promise<void> {
  const at = argv.indexOf('--mb');
  const mb = at >= 0 ? Number(argv[at + 1]) : 500;
  if (!Number.isFinite(mb) || mb <= 0) throw new Error(`--mb must be a positive number, got ${argv[at + 1]}`);
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-set-'));
  try {
    for (const bad of [false, true]) {
      const f = join(dir, `gset-${bad ? 'bad' : 'ok'}.jsonl`);
      const lines = writeHistory(f, mb * 2 ** 20, bad);
      const size = statSync(f).size / 2 ** 20;
      for (const named of [true, false]) {
        const useTime = existsSync('/usr/bin/time');
        const args = [cliPath(), 'check', f, ...(named ? ['--checker', 'set'] : []), '--json'];
        const t0 = performance.now();
        const r = useTime
          ? spawnSync('/usr/bin/time', ['-f', '__TIME__ %U %S %M', process.execPath, ...args], { encoding: 'utf8' })
          : spawnSync(process.execPath, args, { encoding: 'utf8' });
        const wall = (performance.now() - t0) / 1000;
        const m = /__TIME__ ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr ?? '');
        const out = JSON.parse((r.stdout ?? '').trim().split('\n')[0] || '{}') as { valid?: unknown; stats?: Record<string, unknown>; error?: unknown };
        const s = out.stats ?? {};
        console.log(
          `g-set history ${size.toFixed(0)} MB (${lines} ops), ${bad ? 'one element lost' : 'valid'}, check ${named ? '--checker set' : '(no checker named)'}: ${String(out.valid)} in ${wall.toFixed(1)} s` +
            (m ? `, CPU ${(Number(m[1]) + Number(m[2])).toFixed(1)} s, peak RSS ${(Number(m[3]) / 1024).toFixed(0)} MB` : ', peak RSS n/a (no /usr/bin/time)') +
            ` (${String(s.acknowledged)} elements, ${String(s.clientReads)} reads, ${String(s.staleReads)} stale reads, ${String(s.lost)} lost; load ${loadavg()[0].toFixed(1)})` +
            (out.error ? ` error: ${JSON.stringify(out.error)}` : ''),
        );
      }
      rmSync(f, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return Promise.resolve();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv.slice(2));
}
