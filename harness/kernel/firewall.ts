/**
 * The partition and loss state of a kernel runtime's nodes, kept in one place and written into each node's
 * firewall through the runtime's `exec` primitive (see iptables.ts for the rules themselves). Each node's
 * full fault state is rewritten in one `iptables-restore`, and updates for one node run one at a time, so a
 * partition and a loss change never interleave.
 *
 * Because the state is kept here, a node whose network comes up late (docker's sandbox, a rebooted SSH host)
 * gets the faults now in force when it is installed, and never a stale or empty rule set.
 */
import { InputError } from '../../histories/errors.js';
import type { Grudge, NodeId } from '../runtime.js';
import { dropRules, filterChains, LIST_ARGV, lossRules, ourRules, restoreScript, RESTORE_ARGV, type RuleSet } from './iptables.js';
import type { NodeExec } from './runtime.js';

export interface NodeFirewallsOptions {
  nodes: readonly NodeId[];
  addressOf(node: NodeId): string;
  exec: NodeExec;
  /** False for a node whose network does not exist yet (it is brought up to date by `install`). */
  ready?(node: NodeId): boolean;
}

export class NodeFirewalls {
  private grudge: Grudge = {};
  private loss = 0;
  private readonly queues = new Map<NodeId, Promise<unknown>>();

  constructor(private readonly o: NodeFirewallsOptions) {}

  /** Create our chains in the node's namespace, holding the faults now in force. Once per namespace. */
  install(node: NodeId): Promise<void> {
    return this.write(node, [filterChains(), ...this.rulesFor(node)]);
  }

  /** Replace the current partition (if any) by this one, on every node. */
  async partition(grudge: Grudge): Promise<void> {
    for (const [n, peers] of Object.entries(grudge)) {
      this.requireNode(n);
      for (const p of peers) this.requireNode(p);
    }
    this.grudge = Object.fromEntries(Object.entries(grudge).map(([n, p]) => [n, [...p]]));
    await this.writeAll((n) => [this.rulesFor(n)[0]]);
  }

  heal(): Promise<void> {
    return this.partition({});
  }

  /** Drop each packet between nodes with this probability (0 removes the loss). */
  async setLoss(probability: number): Promise<void> {
    this.loss = probability;
    await this.writeAll((n) => [this.rulesFor(n)[1]]);
  }

  /** The node's partition and loss rule sets for the state now in force. */
  rulesFor(node: NodeId): [RuleSet, RuleSet] {
    const peers = this.o.nodes.filter((p) => p !== node);
    const drops = (this.grudge[node] ?? []).filter((p) => p !== node);
    return [dropRules(drops.map((p) => this.o.addressOf(p))), lossRules(peers.map((p) => this.o.addressOf(p)), this.loss)];
  }

  private async writeAll(sets: (node: NodeId) => RuleSet[]): Promise<void> {
    const ready = this.o.nodes.filter((n) => this.o.ready?.(n) ?? true);
    await Promise.all(ready.map((n) => this.write(n, sets(n))));
  }

  private write(node: NodeId, sets: RuleSet[]): Promise<void> {
    const prev = this.queues.get(node) ?? Promise.resolve();
    const next = prev
      .catch(() => undefined)
      .then(async () => {
        await this.o.exec(node, RESTORE_ARGV, restoreScript(sets));
      });
    this.queues.set(node, next);
    return next;
  }

  private requireNode(node: NodeId): void {
    if (!this.o.nodes.includes(node)) throw new InputError(`unknown node "${node}" (nodes: ${this.o.nodes.join(', ')})`);
  }
}

/** faultline's rules now in a node's namespace, as `iptables -S` prints them (for tests and diagnostics). */
export async function listRules(rt: { exec: NodeExec }, node: NodeId): Promise<string[]> {
  return ourRules(await rt.exec(node, LIST_ARGV));
}
