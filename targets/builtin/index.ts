/**
 * The built-in target's node program: one replicated key-value store in two configurations, `raft` (CP)
 * and `lww` (AP), each with bug knobs that switch on a real faulty code path. Nodes speak Maelstrom's
 * protocol, so they run under the sim runtime like any user's Maelstrom binary.
 */
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve, sep } from 'node:path';
import { InputError } from '../../histories/errors.js';

export const BUILTIN_CONFIGS = ['raft', 'lww', 'bft', 'gossip'] as const;
export type BuiltinConfig = (typeof BUILTIN_CONFIGS)[number];

/** Which bugs each config has. */
export const BUILTIN_BUGS_BY_CONFIG: Readonly<Record<BuiltinConfig, readonly string[]>> = {
  raft: ['stale-reads', 'early-ack', 'txn-local-reads', 'split-txn', 'unseen-own-writes'],
  lww: ['no-merge'],
  bft: ['small-quorum'],
  gossip: [],
};

/** Bugs that live in the txn code path only: a run of another workload would never reach them. */
export const TXN_ONLY_BUGS: readonly string[] = ['txn-local-reads', 'split-txn', 'unseen-own-writes'];

/** Every bug name, whichever config it belongs to (Target.bugs). */
export const BUILTIN_BUGS: readonly string[] = [...new Set(Object.values(BUILTIN_BUGS_BY_CONFIG).flat())];

/**
 * What each config is (the promises are Target.promises):
 *  - raft: CP: Raft consensus; every op, reads too, goes through the replicated log, and a minority answers unavailable
 *  - lww: AP: every node answers at once and gossips; registers merge last-writer-wins by wall clock, sets by union
 *  - gossip: AP: Maelstrom's broadcast by periodic push gossip over the topology's neighbours, resent until acknowledged
 *  - bft: CP with f of 3f+1 nodes lying: Tendermint-style consensus, HMAC per node pair, clients ask every node and take f+1 matching answers
 *
 * What each bug does:
 *  - stale-reads: raft followers answer reads (and read-only txns) from their own, possibly stale, state
 *  - early-ack: the raft leader acknowledges writes and adds before a majority has them
 *  - txn-local-reads: raft answers a txn's reads from the receiving node's state outside the log, and orders only its writes
 *  - split-txn: the raft leader commits a txn's micro-ops one log entry at a time, so other txns interleave with it
 *  - unseen-own-writes: raft txns read the state from before the txn, so a txn misses its own earlier writes
 *  - no-merge: lww nodes gossip but never merge what they receive, so they never converge
 *  - small-quorum: bft quorums of 2f instead of 2f+1, so two quorums need not share an honest node
 */

/** Whether the config's nodes use the clock offset the harness hands them (lww's timestamps do). */
export const BUILTIN_CLOCK_SUPPORT: Readonly<Record<BuiltinConfig, boolean>> = { raft: true, lww: true, bft: true, gossip: true };

export function isBuiltinConfig(config: string): config is BuiltinConfig {
  return (BUILTIN_CONFIGS as readonly string[]).includes(config);
}

/** Throws InputError for an unknown config or a bug that config does not have. */
export function checkBuiltinConfig(config: string, bug?: string): BuiltinConfig {
  if (!isBuiltinConfig(config)) throw new InputError(`unknown builtin config "${config}" (choose one of ${BUILTIN_CONFIGS.join(', ')})`);
  if (bug !== undefined && !BUILTIN_BUGS_BY_CONFIG[config].includes(bug)) {
    const bugs = BUILTIN_BUGS_BY_CONFIG[config];
    throw new InputError(`config "${config}" has no bug "${bug}" (its bugs: ${bugs.length ? bugs.join(', ') : 'none'})`);
  }
  return config;
}

/** The compiled node program, `dist/targets/builtin/kv-node.js`, whether we run from dist/, from the CLI bundle (dist/cli/) or from sources. */
export function builtinNodeScript(): string {
  const here = fileURLToPath(import.meta.url);
  const dist = here.endsWith('.ts') ? join(resolve(dirname(here), '..', '..'), 'dist') : here.slice(0, here.lastIndexOf(`${sep}dist${sep}`) + 5);
  return join(dist, 'targets', 'builtin', 'kv-node.js');
}

/**
 * The command line every node of a cluster runs. `dataDir` is the cluster's data folder: each node keeps
 * its state in `<dataDir>/<node>` (the sim runtime fills in `{node}`), the same folder the sim runtime
 * makes for it. Without `dataDir`, the runtime's own per-node folder (`{dataDir}`) is used.
 */
export function builtinCommand(config: string, bug?: string, dataDir?: string): { command: string; args: string[] } {
  checkBuiltinConfig(config, bug);
  const dir = dataDir === undefined ? '{dataDir}' : join(dataDir, '{node}');
  const args = [builtinNodeScript(), '--config', config, '--data-dir', dir];
  if (bug !== undefined) args.push('--bug', bug);
  return { command: process.execPath, args };
}
