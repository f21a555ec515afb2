/**
 * The neighbour maps Maelstrom's broadcast workload offers its nodes in the `topology` message
 * (`--topology`): a roughly square grid (up to 4 neighbours each), a line, everyone, or a k-ary tree (parent
 * and children, nodes in order). Which links a node then uses is its own design: faults come from the nemesis.
 */
import type { TOPOLOGIES } from '../../histories/run-record.js';

export type TopologyName = (typeof TOPOLOGIES)[number];

export function topologyOf(nodes: readonly string[], kind: TopologyName | undefined): Record<string, string[]> {
  const n = nodes.length;
  const out: Record<string, string[]> = Object.fromEntries(nodes.map((x) => [x, [] as string[]]));
  const link = (a: number, b: number): void => {
    out[nodes[a]].push(nodes[b]);
    out[nodes[b]].push(nodes[a]);
  };
  switch (kind ?? 'total') {
    case 'total':
      for (let i = 0; i < n; i++) out[nodes[i]] = nodes.filter((_, j) => j !== i);
      break;
    case 'line':
      for (let i = 0; i + 1 < n; i++) link(i, i + 1);
      break;
    case 'grid': {
      const side = Math.ceil(Math.sqrt(n));
      for (let i = 0; i < n; i++) {
        if ((i % side) + 1 < side && i + 1 < n) link(i, i + 1);
        if (i + side < n) link(i, i + side);
      }
      break;
    }
    case 'tree2':
    case 'tree3':
    case 'tree4': {
      const k = Number(kind!.slice(4));
      for (let i = 1; i < n; i++) link(Math.floor((i - 1) / k), i);
      break;
    }
  }
  return out;
}
