/**
 * Entry point of a built-in node: `node kv-node.js --config raft|lww [--bug NAME] [--data-dir DIR]`.
 * Without --data-dir it uses $FAULTLINE_DATA_DIR, or keeps nothing on disk.
 */
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkBuiltinConfig } from './index.js';
import { LwwNode, type LwwBug } from './lww.js';
import { NodeIO } from './node-io.js';
import { RaftNode, type RaftBug } from './raft.js';
import { BftNode, type BftBug } from './bft.js';
import { GossipNode } from './gossip.js';

function main(): void {
  let values: { config?: string; bug?: string; 'data-dir'?: string };
  try {
    ({ values } = parseArgs({
      options: { config: { type: 'string' }, bug: { type: 'string' }, 'data-dir': { type: 'string' } },
      strict: true,
    }));
  } catch (err) {
    return fail((err as Error).message);
  }
  let config;
  try {
    config = checkBuiltinConfig(values.config ?? '', values.bug);
  } catch (err) {
    return fail((err as Error).message);
  }
  const dataDir = values['data-dir'] ?? process.env.FAULTLINE_DATA_DIR;
  if (dataDir) mkdirSync(dataDir, { recursive: true });

  const io = new NodeIO();
  const node =
    config === 'raft'
      ? new RaftNode(io, dataDir, values.bug as RaftBug | undefined)
      : config === 'bft'
        ? new BftNode(io, values.bug as BftBug | undefined, dataDir)
        : config === 'gossip'
          ? new GossipNode(io)
        : new LwwNode(io, dataDir, values.bug as LwwBug | undefined);
  io.run(() => node.start());
}

function fail(message: string): void {
  process.stderr.write(`kv-node: ${message}\nusage: kv-node --config raft|lww|bft|gossip [--bug NAME] [--data-dir DIR]\n`);
  process.exitCode = 2;
}

main();
