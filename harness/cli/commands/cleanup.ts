/** `faultline cleanup`: remove what an interrupted or crashed run left behind. */
import { cleanup as cleanupNetns } from '../../netns/cleanup.js';
import { cleanupDocker } from '../../docker/cleanup.js';
import { cleanupSim } from '../../sim/ledger.js';
import { EXIT } from '../../../checkers/result.js';
import { printJson, println } from '../output.js';
import { loadHosts } from '../../ssh/hosts.js';
import { cleanupSsh } from '../../ssh/cleanup.js';
import { dropDeadRunIdClaims } from '../../../histories/store.js';

export async function cleanupCommand(opts: { run?: string; json?: boolean; hosts?: string }): Promise<number> {
  const removed: string[] = [];
  if (opts.hosts !== undefined) {
    // Remote hosts only: what ssh runs left on them. This machine's runs are cleaned without --hosts.
    const r = await cleanupSsh(loadHosts(opts.hosts), opts.run);
    if (opts.json) {
      for (const x of r.removed) printJson({ removed: x });
      for (const x of r.failed) printJson({ failed: x });
    } else {
      if (r.removed.length === 0 && r.failed.length === 0) println('nothing to clean up on the hosts');
      for (const x of r.removed) println(`removed ${x}`);
      for (const x of r.failed) process.stderr.write(`could not clean ${x}\n`);
    }
    return r.failed.length > 0 ? EXIT.harness : EXIT.valid;
  }
  // Sim nodes usually exit when the harness's end of their stdin closes; paused ones and foreign binaries may not.
  removed.push(...cleanupSim(opts.run));
  removed.push(...(await cleanupNetns(opts.run)));
  removed.push(...(await cleanupDocker(opts.run)));
  dropDeadRunIdClaims();
  if (opts.json) for (const r of removed) printJson({ removed: r });
  else if (removed.length === 0) println('nothing to clean up');
  else for (const r of removed) println(`removed ${r}`);
  return EXIT.valid;
}
