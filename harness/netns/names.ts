/**
 * Names and addresses of one run's network objects. Every kernel object a run creates carries the run's
 * short tag, so concurrent runs never collide and a later cleanup can tell whose objects it is looking at.
 * Linux limits interface names to 15 characters, which is why the tag is short.
 */
import { createHash } from 'node:crypto';
import { InputError } from '../../histories/errors.js';
import type { NodeId } from '../runtime.js';

/** Every namespace and interface this runtime makes starts with this. */
export const NAME_PREFIX = 'fl';
const TAG_LEN = 6;

/** A 6-hex-digit tag derived from the run id (stable, so cleanup(runId) can find the run's objects). */
export function runTag(runId: string): string {
  return createHash('sha256').update(runId).digest('hex').slice(0, TAG_LEN);
}

export interface RunNames {
  tag: string;
  hubNs: string;
  bridge: string;
  /** The veth end left in the root namespace, and its peer on the hub bridge. */
  rootVeth: string;
  rootVethPeer: string;
  nodeNs(index: number): string;
  /** The veth end inside the node's namespace, and its peer on the hub bridge. */
  nodeVeth(index: number): string;
  nodeVethPeer(index: number): string;
}

export function runNames(tag: string): RunNames {
  return {
    tag,
    hubNs: `${NAME_PREFIX}-${tag}-hub`,
    bridge: 'flbr0',
    rootVeth: `${NAME_PREFIX}${tag}r0`,
    rootVethPeer: `${NAME_PREFIX}${tag}h0`,
    nodeNs: (i) => `${NAME_PREFIX}-${tag}-n${i}`,
    nodeVeth: (i) => `${NAME_PREFIX}${tag}n${i}`,
    nodeVethPeer: (i) => `${NAME_PREFIX}${tag}p${i}`,
  };
}

/** Namespaces named by runNames: `fl-<tag>-hub` / `fl-<tag>-n<i>`. Returns the tag, or null if not ours. */
export function tagOfNamespace(ns: string): string | null {
  const m = /^fl-([0-9a-f]{6})-(hub|n\d+)$/.exec(ns);
  return m ? m[1] : null;
}

/** Root-namespace interfaces named by runNames (`fl<tag>r0`). */
export function tagOfRootLink(link: string): string | null {
  const m = /^fl([0-9a-f]{6})r0$/.exec(link);
  return m ? m[1] : null;
}

/** The first three octets of a private /24, e.g. "10.213.7". */
export type Subnet24 = string;

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const SUBNET_RE = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}(\\.0(/24)?)?$`);

/** Accepts "10.213.7", "10.213.7.0" or "10.213.7.0/24"; only private ranges, so no real host is ever addressed. */
export function parseSubnet(text: string): Subnet24 {
  const m = SUBNET_RE.exec(text.trim());
  if (!m) throw new InputError(`netns subnet must look like 10.213.7.0/24, got "${text}"`);
  const [a, b, c] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const isPrivate = a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  if (!isPrivate) throw new InputError(`netns subnet must be a private range (10/8, 172.16/12, 192.168/16), got "${text}"`);
  return `${a}.${b}.${c}`;
}

/** The default /24 for a run: 10.213.X.0/24 with X from the run tag, so concurrent runs usually differ. */
export function defaultThirdOctet(tag: string): number {
  // 1..250: avoid .0 and the top few, purely for readability.
  return (parseInt(tag, 16) % 250) + 1;
}

/** Node i (0-based) gets .i+1; the root-namespace end (the harness) gets .254. */
export function nodeAddr(subnet: Subnet24, index: number): string {
  if (index < 0 || index > 200) throw new InputError(`netns runtime supports at most 200 nodes, got index ${index}`);
  return `${subnet}.${index + 1}`;
}

export function harnessAddr(subnet: Subnet24): string {
  return `${subnet}.254`;
}

export function nodeIndex(nodes: readonly NodeId[], node: NodeId): number {
  const i = nodes.indexOf(node);
  if (i < 0) throw new InputError(`unknown node "${node}" (nodes: ${nodes.join(', ')})`);
  return i;
}
