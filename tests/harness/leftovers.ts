/** What a run may leave behind, as the tests look for it. */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Live processes whose environment names this folder: the nodes of a run stored there. */
export function processesUnder(dir: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${p}/environ`, 'latin1').includes(dir)) out.push(Number(p));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

export type Strike = 'SIGKILL' | 'SIGINT';

/**
 * Start `node <args>` in the repository as its own process group and strike it `atMs` later: SIGKILL hits the
 * harness alone (its nodes are orphaned), SIGINT the whole group, as a terminal's Ctrl-C does. Resolves when
 * the harness has exited, whether the strike came before or after it finished.
 */
export function strikeRun(cwd: string, args: string[], how: Strike, atMs: number, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  // stderr is kept (its tail), so a run that fails on its own before the strike says why.
  const child = spawn(process.execPath, args, { cwd, detached: true, stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        if (how === 'SIGKILL') process.kill(child.pid!, 'SIGKILL');
        else process.kill(-child.pid!, 'SIGINT');
      } catch {
        // it had finished already
      }
    }, atMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}
