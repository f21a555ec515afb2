import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../paths.js';

export { ROOT, KNOSSOS, EXAMPLES } from '../../paths.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI as a user would, through bin/faultline.js and the compiled code. */
export function cli(args: string[], opts: { cwd?: string; timeoutMs?: number; input?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'faultline.js'), ...args], {
    cwd: opts.cwd ?? ROOT,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 120_000,
    input: opts.input,
    env: { ...process.env, NO_COLOR: '1', FAULTLINE_DEBUG: '' },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A Node stack frame line: users must never see one. */
export const STACK = /^\s+at .+\(.+:\d+:\d+\)$/m;
