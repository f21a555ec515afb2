/**
 * A progress line for `faultline check` on a terminal: keys done, states explored and time against the
 * budget. It appears only once a file has taken a second, so quick checks print nothing extra.
 */
import { createRequire } from 'node:module';
import type cliProgress from 'cli-progress';
import type { LinearProgress } from '../../checkers/linear/index.js';

/** Loaded when a bar is first drawn: most checks never draw one, and start faster without it. */
const loadBar = (): typeof cliProgress => createRequire(import.meta.url)('cli-progress') as typeof cliProgress;

const SHOW_AFTER_MS = 1000;
/** The search calls back every 1024 steps; redrawing more than a few times a second would cost time. */
const REDRAW_MS = 200;

export interface CheckProgress {
  onProgress?: (p: LinearProgress) => void;
  stop(): void;
}

export function checkProgress(file: string, enabled: boolean, budgetS: number | undefined): CheckProgress {
  if (!enabled) return { stop() {} };
  const started = Date.now();
  let last = 0;
  let bar: cliProgress.SingleBar | undefined;
  const onProgress = (p: LinearProgress) => {
    const now = Date.now();
    if (now - started < SHOW_AFTER_MS || now - last < REDRAW_MS) return;
    last = now;
    const payload = {
      file,
      states: p.states.toLocaleString('en-US'),
      elapsed: ((now - started) / 1000).toFixed(0),
      budget: budgetS === undefined ? '' : ` of ${budgetS}s budget`,
    };
    if (!bar) {
      const lib = loadBar();
      bar = new lib.SingleBar(
        {
          format: ' checking {file} {bar} {value}/{total} keys | {states} states | {elapsed}s{budget}',
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: true,
        },
        lib.Presets.shades_classic,
      );
      bar.start(p.keys, p.keysDone, payload);
    } else {
      bar.update(p.keysDone, payload);
    }
  };
  return {
    onProgress,
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
