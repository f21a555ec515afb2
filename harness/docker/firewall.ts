/**
 * Partitions and packet loss as iptables rules inside a container's network namespace, entered with
 * `nsenter -t <pid> -n` (Node cannot setns itself). The rules are the same as the netns runtime's: two chains
 * of our own jumped to from INPUT, each replaced by one atomic `iptables-restore --noflush`, and only what
 * arrives from the grudged peers' addresses is dropped, so the harness (the gateway address) always gets
 * through, as clients outside the cluster would.
 *
 * The namespace is the node's sandbox container's, which outlives the node's own container, so the rules
 * are installed once per run and hold across kills and restarts.
 */
import { run } from '../netns/shell.js';

export const PARTITION_CHAIN = 'FAULTLINE-PART';
export const LOSS_CHAIN = 'FAULTLINE-LOSS';

function restore(pid: number, lines: string[]): Promise<string> {
  return run('nsenter', ['-t', String(pid), '-n', 'iptables-restore', '--noflush'], {
    input: ['*filter', ...lines, 'COMMIT', ''].join('\n'),
  });
}

/** Rules for one namespace: our chains exist and are jumped to, with exactly these drops and losses. */
export function ruleLines(fromAddrs: readonly string[], lossFrom: readonly string[], loss: number, install: boolean): string[] {
  const p = loss.toFixed(6);
  return [
    ...(install ? [`:${PARTITION_CHAIN} - [0:0]`, `:${LOSS_CHAIN} - [0:0]`, `-A INPUT -j ${PARTITION_CHAIN}`, `-A INPUT -j ${LOSS_CHAIN}`] : []),
    `-F ${PARTITION_CHAIN}`,
    ...fromAddrs.map((a) => `-A ${PARTITION_CHAIN} -s ${a}/32 -j DROP`),
    `-F ${LOSS_CHAIN}`,
    ...(loss > 0 ? lossFrom.map((a) => `-A ${LOSS_CHAIN} -s ${a}/32 -m statistic --mode random --probability ${p} -j DROP`) : []),
  ];
}

/** Create the chains (once, in a fresh sandbox) and set both fault sets in one transaction. */
export async function installRules(pid: number, dropFrom: readonly string[], lossFrom: readonly string[], loss: number): Promise<void> {
  await restore(pid, ruleLines(dropFrom, lossFrom, loss, true));
}

export async function setDrops(pid: number, fromAddrs: readonly string[]): Promise<void> {
  await restore(pid, [`-F ${PARTITION_CHAIN}`, ...fromAddrs.map((a) => `-A ${PARTITION_CHAIN} -s ${a}/32 -j DROP`)]);
}

export async function setLoss(pid: number, fromAddrs: readonly string[], probability: number): Promise<void> {
  const p = probability.toFixed(6);
  const rules = probability > 0 ? fromAddrs.map((a) => `-A ${LOSS_CHAIN} -s ${a}/32 -m statistic --mode random --probability ${p} -j DROP`) : [];
  await restore(pid, [`-F ${LOSS_CHAIN}`, ...rules]);
}

/** Our rules in a container's namespace, as `iptables -S` prints them (for tests and diagnostics). */
export async function listRules(pid: number): Promise<string[]> {
  const out = await run('nsenter', ['-t', String(pid), '-n', 'iptables', '-S']);
  return out.split('\n').filter((l) => l.includes(PARTITION_CHAIN) || l.includes(LOSS_CHAIN));
}
