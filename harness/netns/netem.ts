/**
 * netem (the kernel's delay/loss qdisc) where the kernel has it. Many minimal kernels (this project's CI
 * included) ship without it; then `tc qdisc add ... netem` fails with "qdisc kind is unknown" and the runtime
 * falls back to the userspace latency proxy for client links.
 */
import { run } from '../kernel/shell.js';

/** Probe inside a namespace we own (its loopback), so the root namespace is never touched. */
export async function hasNetem(ns: string): Promise<boolean> {
  try {
    await run('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '0ms']);
  } catch {
    return false;
  }
  await run('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'del', 'dev', 'lo', 'root']).catch(() => undefined);
  return true;
}

/** Delay every packet leaving this device (a node's veth, so it delays all of that node's traffic). */
export async function setNetemDelay(ns: string, dev: string, latencyMs: number, jitterMs: number): Promise<void> {
  const args = ['qdisc', 'replace', 'dev', dev, 'root', 'netem', 'delay', `${latencyMs}ms`];
  if (jitterMs > 0) args.push(`${jitterMs}ms`);
  await run('ip', ['netns', 'exec', ns, 'tc', ...args]);
}

export async function clearNetem(ns: string, dev: string): Promise<void> {
  await run('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'del', 'dev', dev, 'root']).catch(() => undefined);
}
