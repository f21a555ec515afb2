/**
 * Partitions and packet loss as iptables rules inside the node namespaces. Each namespace gets two chains of
 * the run's own, jumped to from INPUT: one for the partition, one for loss. Replacing or healing a fault is a
 * flush of one chain, so no rule is ever left behind by a half-applied change. Each update is one
 * `iptables-restore --noflush` per namespace, which the kernel applies atomically.
 *
 * Only INPUT is filtered, as in Jepsen: node A drops what arrives from the nodes it holds a grudge against.
 * A one-way partition is therefore a rule on one side only. Traffic from the harness (the root namespace's
 * address) is never matched, so clients keep reaching every node, as clients outside the cluster would.
 */
import { run } from './shell.js';

export const PARTITION_CHAIN = 'FAULTLINE-PART';
export const LOSS_CHAIN = 'FAULTLINE-LOSS';

function restore(ns: string, lines: string[]): Promise<string> {
  return run('ip', ['netns', 'exec', ns, 'iptables-restore', '--noflush'], { input: ['*filter', ...lines, 'COMMIT', ''].join('\n') });
}

/** Create the chains and the jumps to them. Called once per namespace at start. */
export async function installChains(ns: string): Promise<void> {
  await restore(ns, [
    `:${PARTITION_CHAIN} - [0:0]`,
    `:${LOSS_CHAIN} - [0:0]`,
    `-A INPUT -j ${PARTITION_CHAIN}`,
    `-A INPUT -j ${LOSS_CHAIN}`,
  ]);
}

/** Replace the partition rules of one namespace: drop everything from these source addresses. */
export async function setDrops(ns: string, fromAddrs: string[]): Promise<void> {
  await restore(ns, [`-F ${PARTITION_CHAIN}`, ...fromAddrs.map((a) => `-A ${PARTITION_CHAIN} -s ${a}/32 -j DROP`)]);
}

/** Replace the loss rules of one namespace: drop each packet from these peers with probability p. */
export async function setLoss(ns: string, fromAddrs: string[], probability: number): Promise<void> {
  const p = probability.toFixed(6);
  const rules = probability > 0 ? fromAddrs.map((a) => `-A ${LOSS_CHAIN} -s ${a}/32 -m statistic --mode random --probability ${p} -j DROP`) : [];
  await restore(ns, [`-F ${LOSS_CHAIN}`, ...rules]);
}

/** The rules now in a namespace's chains, as `iptables -S` prints them (for tests and reports). */
export async function listRules(ns: string): Promise<string[]> {
  const out = await run('ip', ['netns', 'exec', ns, 'iptables', '-S']);
  return out.split('\n').filter((l) => l.includes(PARTITION_CHAIN) || l.includes(LOSS_CHAIN));
}
