/**
 * Names and addresses of one run's Docker objects. Names carry a short tag derived from the run id (so two
 * runs never collide and a name says whose it is); the full run id is in a label, which is what cleanup
 * goes by.
 */
import { createHash } from 'node:crypto';
import { InputError } from '../../histories/errors.js';
import type { NodeId } from '../runtime.js';

export function runTag(runId: string): string {
  return createHash('sha256').update(runId).digest('hex').slice(0, 8);
}

/** Docker names allow [a-zA-Z0-9][a-zA-Z0-9_.-]*; keep a readable slice of the run id in the network name. */
function slug(text: string, max: number): string {
  return text.replace(/[^a-zA-Z0-9_.-]+/g, '-').replace(/^[^a-zA-Z0-9]+/, '').slice(0, max);
}

export function networkName(runId: string): string {
  const s = slug(runId, 32);
  return s ? `faultline-${s}-${runTag(runId)}` : `faultline-${runTag(runId)}`;
}

export function containerName(runId: string, node: NodeId): string {
  return `faultline-${runTag(runId)}-${node}`;
}

const NODE_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;

export function validateNodes(nodes: readonly NodeId[]): void {
  if (nodes.length === 0) throw new InputError('docker runtime needs at least one node');
  if (nodes.length > 200) throw new InputError(`docker runtime supports at most 200 nodes, got ${nodes.length}`);
  if (new Set(nodes).size !== nodes.length) throw new InputError(`duplicate node names: ${nodes.join(', ')}`);
  for (const n of nodes) {
    if (!NODE_RE.test(n)) throw new InputError(`node name "${n}" is not usable in a container name (1-32 of letters, digits, _ . -, starting with a letter or digit)`);
  }
}

/** A /24 as its first three octets, e.g. "10.214.7". */
export type Subnet24 = string;

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const SUBNET_RE = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}(\\.0(/24)?)?$`);

/** "10.214.7", "10.214.7.0" or "10.214.7.0/24", private ranges only, so no real host is ever addressed. */
export function parseSubnet(text: string): Subnet24 {
  const m = SUBNET_RE.exec(text.trim());
  if (!m) throw new InputError(`docker subnet must look like 10.214.7.0/24, got "${text}"`);
  const [a, b, c] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const isPrivate = a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  if (!isPrivate) throw new InputError(`docker subnet must be a private range (10/8, 172.16/12, 192.168/16), got "${text}"`);
  return `${a}.${b}.${c}`;
}

/** Node i gets .i+1; the bridge (the host's address on the run's network, the gateway) gets .254. */
export function nodeAddr(subnet: Subnet24, index: number): string {
  return `${subnet}.${index + 1}`;
}

export function gatewayAddr(subnet: Subnet24): string {
  return `${subnet}.254`;
}

/** Candidate /24s for a run, starting at one picked by the tag so concurrent runs usually differ at once. */
export function candidateSubnets(runId: string, count = 250): Subnet24[] {
  const first = parseInt(runTag(runId).slice(0, 6), 16) % 250;
  const out: Subnet24[] = [];
  for (let k = 0; k < Math.min(count, 250); k++) out.push(`10.214.${((first + k) % 250) + 1}`);
  return out;
}

/** Do two IPv4 prefixes overlap? (They do when they agree on the shorter of their lengths.) */
export function prefixesOverlap(a: string, b: string): boolean {
  const pa = parsePrefix(a);
  const pb = parsePrefix(b);
  if (!pa || !pb) return false;
  const len = Math.min(pa.len, pb.len);
  const mask = len === 0 ? 0 : (~(0xffffffff >>> len)) >>> 0;
  return ((pa.base & mask) >>> 0) === ((pb.base & mask) >>> 0);
}

function parsePrefix(text: string): { base: number; len: number } | null {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)(?:\/(\d+))?$/.exec(text.trim());
  if (!m) return null;
  const base = [m[1], m[2], m[3], m[4]].map(Number).reduce((acc, o) => ((acc << 8) | o) >>> 0, 0);
  return { base, len: m[5] === undefined ? 32 : Number(m[5]) };
}
