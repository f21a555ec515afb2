import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addRunOptions, resolveConfig, type RunFlags } from '../../../harness/cli/commands/run.js';
import { rerunArgs, rerunCommand } from '../../../harness/cli/rerun.js';
import type { RunConfig } from '../../../histories/run-record.js';

async function configFrom(args: string[]): Promise<RunConfig> {
  const cmd = addRunOptions(new Command('run')).exitOverride();
  cmd.parse(args, { from: 'user' });
  return resolveConfig(cmd.opts() as RunFlags);
}

describe('the rerun command a stored run prints', () => {
  it('parses back to the very config it came from, for keyed and keyless workloads', async () => {
    const configs = [
      await configFrom(['--config', 'lww', '--workload', 'set', '--keys', '3', '--nodes', '3', '--rate', '250', '--nemesis', 'partition,clock', '--seed', 'abc']),
      await configFrom(['--bug', 'stale-reads', '--nemesis', 'none', '--time-limit', '2.5', '--quiescence', '0', '--seed', '7']),
      await configFrom(['--target', 'maelstrom', '--bin', 'tests/fixtures/maelstrom/counter.mjs', '--workload', 'pn-counter', '--nemesis', 'pause', '--seed', '4']),
      await configFrom(['--workload', 'txn-list-append', '--bug', 'split-txn', '--max-txn-length', '6', '--min-txn-length', '2', '--max-writes-per-key', '8', '--consistency-models', 'serializable,read-committed', '--seed', '9']),
      await configFrom(['--workload', 'txn-rw-register', '--linearizable-keys', '--sequential-keys', '--seed', '5']),
    ];
    for (const c of configs) expect(await configFrom(rerunArgs(c))).toEqual(c);
    // A relative --bin is stored absolute, so the command works from any folder.
    expect(configs[2].bin).toMatch(/^\/.*tests\/fixtures\/maelstrom\/counter\.mjs$/);
    expect(rerunArgs(configs[2])).not.toContain('--keys');
  });

  it('quotes words the shell would split', async () => {
    const c = await configFrom(['--seed', "it's 7"]);
    expect(rerunCommand(c)).toContain(`--seed 'it'\\''s 7'`);
  });
});
