/**
 * Run a subcommand in this process, as main() would: its output captured, an escaping error turned into the
 * message and exit code main() gives it. Hundreds of cases cost milliseconds each instead of a CLI start.
 */
import { vi } from 'vitest';
import { describeError, exitCodeForError } from '../../../harness/cli/errors.js';
import type { CliResult } from './helpers.js';

export async function inProcess(body: () => Promise<number> | number): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const so = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (out.push(String(c)), true));
  const se = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (err.push(String(c)), true));
  let code: number;
  try {
    code = await body();
  } catch (e) {
    // main() prints a stack only under FAULTLINE_DEBUG; the message alone is what a user sees.
    err.push(`faultline: ${describeError(e)}\n`);
    code = exitCodeForError(e);
    if (code === 255) err.push(`${(e as Error).stack ?? ''}\n`);
  } finally {
    so.mockRestore();
    se.mockRestore();
  }
  return { code, stdout: out.join(''), stderr: err.join('') };
}
