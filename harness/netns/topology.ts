/**
 * The run's network: a hub namespace holding a Linux bridge, one namespace per node joined to the bridge by a
 * veth pair, and one more veth pair from the root namespace to the bridge.
 *
 * Why the root-namespace veth (rather than re-running the harness under `ip netns exec <hub>`): Node.js
 * cannot enter a namespace (no setns), and re-exec'ing the whole harness would move the controller, the test
 * runner and everything else into the hub, which breaks other runtimes and makes Ctrl-C and cleanup
 * harder. With one veth, the root namespace gets an address (.254) and a connected route to the run's /24,
 * and nothing else: clients in the harness process talk to nodes directly, every address they can reach
 * lives in a namespace this run created, and the nodes have no default route, so they reach nothing else.
 */
import { run } from '../kernel/shell.js';
import { harnessAddr, nodeAddr, type RunNames, type Subnet24 } from './names.js';

async function ip(args: string[]): Promise<void> {
  await run('ip', args);
}

export async function createHub(names: RunNames, subnet: Subnet24): Promise<void> {
  await ip(['netns', 'add', names.hubNs]);
  await ip(['-n', names.hubNs, 'link', 'set', 'lo', 'up']);
  await ip(['-n', names.hubNs, 'link', 'add', names.bridge, 'type', 'bridge']);
  await ip(['-n', names.hubNs, 'link', 'set', names.bridge, 'up']);
  // Root end keeps its name in the root namespace; the peer goes straight into the hub.
  await ip(['link', 'add', names.rootVeth, 'type', 'veth', 'peer', 'name', names.rootVethPeer, 'netns', names.hubNs]);
  await ip(['-n', names.hubNs, 'link', 'set', names.rootVethPeer, 'master', names.bridge, 'up']);
  await ip(['addr', 'add', `${harnessAddr(subnet)}/24`, 'dev', names.rootVeth]);
  await ip(['link', 'set', names.rootVeth, 'up']);
}

export async function createNode(names: RunNames, subnet: Subnet24, index: number): Promise<void> {
  const ns = names.nodeNs(index);
  const veth = names.nodeVeth(index);
  const peer = names.nodeVethPeer(index);
  await ip(['netns', 'add', ns]);
  await ip(['link', 'add', veth, 'netns', ns, 'type', 'veth', 'peer', 'name', peer, 'netns', names.hubNs]);
  await ip(['-n', names.hubNs, 'link', 'set', peer, 'master', names.bridge, 'up']);
  await ip(['-n', ns, 'addr', 'add', `${nodeAddr(subnet, index)}/24`, 'dev', veth]);
  await ip(['-n', ns, 'link', 'set', veth, 'up']);
  await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
}

/** True if some root-namespace route already covers addresses of this /24 (then we must pick another). */
export async function subnetInUse(subnet: Subnet24): Promise<boolean> {
  const out = await run('ip', ['-4', 'route', 'show', 'table', 'all']);
  const [a, b, c] = subnet.split('.').map(Number);
  const probe = ((a << 24) | (b << 16) | (c << 8)) >>> 0;
  for (const line of out.split('\n')) {
    const m = /^(?:\w+\s+)?(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?\s/.exec(line.trim());
    if (!m) continue;
    const len = m[2] === undefined ? 32 : Number(m[2]);
    if (len === 0) continue; // the default route is not a conflict
    const base = m[1].split('.').map(Number).reduce((acc, o) => ((acc << 8) | o) >>> 0, 0);
    // Two prefixes overlap when they agree on the shorter of their lengths.
    const shorter = Math.min(len, 24);
    const mask = (~(0xffffffff >>> shorter)) >>> 0;
    if (((probe & mask) >>> 0) === ((base & mask) >>> 0)) return true;
  }
  return false;
}

/**
 * Remove the run's objects, most specific first. Deleting the root veth at once matters: a namespace's
 * devices are torn down asynchronously by the kernel after `ip netns del`, so waiting on that would leave
 * the root-namespace route behind for a moment.
 */
export async function destroyNetwork(rootLinks: string[], namespaces: string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const link of rootLinks) {
    try {
      await ip(['link', 'del', link]);
      removed.push(`link ${link}`);
    } catch {
      /* already gone */
    }
  }
  for (const ns of namespaces) {
    try {
      await ip(['netns', 'del', ns]);
      removed.push(`netns ${ns}`);
    } catch {
      /* already gone */
    }
  }
  return removed;
}
