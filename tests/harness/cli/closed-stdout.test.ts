// When whoever reads faultline's output goes away (`faultline --help | head -1`), faultline ends quietly with its
// exit code, never with an unhandled EPIPE and a stack trace.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, STACK } from './helpers.js';

/** Run the CLI with its stdout pipe closed by the reader before anything is written. */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'faultline.js'), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', FAULTLINE_DEBUG: '' },
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('a closed stdout', () => {
  it('--help ends with exit 0 and no EPIPE or stack trace', async () => {
    const r = await runWithClosedStdout(['--help']);
    expect(r.stderr).not.toMatch(/EPIPE/);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.code).toBe(0);
  });
});
