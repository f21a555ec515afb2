/**
 * faultline's iptables rules as data. A rule is an argument vector, exactly what would follow `iptables` on a
 * command line; a rule set is the rules of one table plus the chains it declares. Nothing here runs a command:
 * a kernel runtime executes rule sets through its own "run this on node X" primitive (`ip netns exec`,
 * `nsenter`, `ssh`), so every runtime installs the same rules.
 *
 * Every rule lives in chains of our own (FAULTLINE-*), jumped to from the built-in chains, so replacing or
 * healing a fault is a flush of one chain and a cleanup never touches anyone else's rules. The preferred way
 * to apply is `iptables-restore --noflush` with `restoreScript(sets)` on stdin: the kernel applies the whole
 * script at once, so no half-applied change is ever in force. `commandLines(set)` gives the same rules as one
 * `iptables` argv each, for a host where only separate commands can be run (not atomic).
 *
 * Only INPUT is filtered, as in Jepsen: node A drops what arrives from the nodes it holds a grudge against, so
 * a one-way partition is a rule on one side only. The harness's own address is never matched, so clients
 * keep reaching every node, as clients outside the cluster would.
 */

export const PARTITION_CHAIN = 'FAULTLINE-PART';
export const LOSS_CHAIN = 'FAULTLINE-LOSS';

/** One rule: the arguments after `iptables -t <table>`, e.g. ['-A', 'FAULTLINE-PART', '-s', '10.0.0.2/32', '-j', 'DROP']. */
export type IptablesRule = readonly string[];

export interface RuleSet {
  table: 'filter' | 'nat';
  /** Chains of our own that the rules use; declared (created, or emptied if they exist) before the rules run. */
  chains: readonly string[];
  rules: readonly IptablesRule[];
}

/** The argv that applies a `restoreScript` given on stdin. */
export const RESTORE_ARGV: readonly string[] = ['iptables-restore', '--noflush'];
/** The argv that prints a namespace's filter rules, for `ourRules`. */
export const LIST_ARGV: readonly string[] = ['iptables', '-S'];

/** The filter chains and their jumps from INPUT; installed once per node namespace, at start. */
export function filterChains(): RuleSet {
  return {
    table: 'filter',
    chains: [PARTITION_CHAIN, LOSS_CHAIN],
    rules: [
      ['-A', 'INPUT', '-j', PARTITION_CHAIN],
      ['-A', 'INPUT', '-j', LOSS_CHAIN],
    ],
  };
}

/** Replace the partition rules of one node: drop everything from these source addresses. */
export function dropRules(fromAddrs: readonly string[]): RuleSet {
  return { table: 'filter', chains: [], rules: [['-F', PARTITION_CHAIN], ...fromAddrs.map((a) => ['-A', PARTITION_CHAIN, '-s', `${a}/32`, '-j', 'DROP'])] };
}

/** Replace the loss rules of one node: drop each packet from these peers with probability p (0 removes them). */
export function lossRules(fromAddrs: readonly string[], probability: number): RuleSet {
  const p = probability.toFixed(6);
  const drops = probability > 0 ? fromAddrs.map((a) => ['-A', LOSS_CHAIN, '-s', `${a}/32`, '-m', 'statistic', '--mode', 'random', '--probability', p, '-j', 'DROP']) : [];
  return { table: 'filter', chains: [], rules: [['-F', LOSS_CHAIN], ...drops] };
}

/** The stdin of one `iptables-restore --noflush` that applies these sets, table by table, atomically. */
export function restoreScript(sets: readonly RuleSet[]): string {
  const lines: string[] = [];
  for (const table of ['filter', 'nat'] as const) {
    const mine = sets.filter((s) => s.table === table);
    if (mine.length === 0) continue;
    lines.push(`*${table}`);
    for (const s of mine) for (const c of s.chains) lines.push(`:${c} - [0:0]`);
    for (const s of mine) for (const r of s.rules) lines.push(r.join(' '));
    lines.push('COMMIT');
  }
  return lines.join('\n') + '\n';
}

/** The same rules as separate `iptables` commands (chains created first); for hosts without iptables-restore. */
export function commandLines(set: RuleSet): string[][] {
  return [...set.chains.map((c) => ['iptables', '-t', set.table, '-N', c]), ...set.rules.map((r) => ['iptables', '-t', set.table, ...r])];
}

/** The lines of `iptables -S` output that belong to faultline's filter chains. */
export function ourRules(listing: string): string[] {
  return listing.split('\n').filter((l) => l.includes(PARTITION_CHAIN) || l.includes(LOSS_CHAIN));
}
