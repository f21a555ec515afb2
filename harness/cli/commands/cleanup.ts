/** `faultline cleanup`: remove what an interrupted or crashed run left behind. */
import { cleanup as cleanupNetns } from '../../netns/cleanup.js';
import { cleanupDocker } from '../../docker/cleanup.js';
import { cleanupSim } from '../../sim/ledger.js';
import { EXIT } from '../../../checkers/result.js';
import { printJson, println } from '../output.js';

export async function cleanupCommand(opts: { run?: string; json?: boolean }): Promise<number> {
  const removed: string[] = [];
  // Sim nodes usually exit when the harness's end of their stdin closes; paused ones and foreign binaries may not.
  removed.push(...cleanupSim(opts.run));
  removed.push(...(await cleanupNetns(opts.run)));
  removed.push(...(await cleanupDocker(opts.run)));
  if (opts.json) for (const r of removed) printJson({ removed: r });
  else if (removed.length === 0) println('nothing to clean up');
  else for (const r of removed) println(`removed ${r}`);
  return EXIT.valid;
}
