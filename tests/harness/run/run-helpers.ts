/** Run the CLI's run/compare with --json and hand back the parsed outcome. */
import { tempDir } from '../../tmp.js';
import { cli } from '../cli/helpers.js';

export const tmpStore = (): string => tempDir('faultline-run-');

export function cliJson(args: string[], timeoutMs = 300_000): { code: number; out: any; stderr: string } {
  const r = cli([...args, '--json', '--no-progress'], { timeoutMs });
  try {
    return { code: r.code, out: JSON.parse(r.stdout.trim().split('\n').pop() ?? ''), stderr: r.stderr };
  } catch {
    throw new Error(`${args[0]} printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

export const checkerOf = (results: any, name: string): any => results.checkers.find((c: any) => c.checker === name);
