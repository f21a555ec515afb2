/**
 * The run's own network: an internal bridge (no route out of it) with a /24 of its own, so every node gets a
 * fixed address that exists only on that network, and the host (the bridge, at .254) reaches them directly.
 *
 * The /24 is one that neither another Docker network nor a host route uses. Two runs racing for the same
 * one are settled by the engine itself, which refuses an overlapping pool; the loser moves on to the next.
 */
import type Dockerode from 'dockerode';
import { InputError } from '../../histories/errors.js';
import { run } from '../kernel/shell.js';
import { OWNER_LABEL, RUN_LABEL, statusOf } from './engine.js';
import { candidateSubnets, gatewayAddr, parseSubnet, prefixesOverlap, type Subnet24 } from './names.js';
import { withTimeout } from '../time.js';

const CALL_MS = 20_000;

export interface RunNetwork {
  id: string;
  name: string;
  subnet: Subnet24;
}

async function usedPrefixes(docker: Dockerode): Promise<string[]> {
  const used: string[] = [];
  const nets = await withTimeout(docker.listNetworks(), CALL_MS, 'docker network ls');
  for (const n of nets) for (const c of n.IPAM?.Config ?? []) if (c.Subnet) used.push(c.Subnet);
  // Host routes too: an address the host already routes elsewhere would be ambiguous for the clients.
  const routes = await run('ip', ['-4', 'route', 'show', 'table', 'all']);
  for (const line of routes.split('\n')) {
    const m = /^(?:\w+\s+)?(\d+\.\d+\.\d+\.\d+(?:\/\d+)?)\s/.exec(line.trim());
    if (m && !m[1].endsWith('/0')) used.push(m[1]);
  }
  return used;
}

function isOverlapError(e: unknown): boolean {
  const msg = e instanceof Error ? e.message : String(e);
  return /overlap/i.test(msg);
}

export async function createRunNetwork(
  docker: Dockerode,
  opts: { name: string; runId: string; owner: string; subnet?: string },
): Promise<RunNetwork> {
  const fixed = opts.subnet === undefined ? null : parseSubnet(opts.subnet);
  const candidates = fixed ? [fixed] : candidateSubnets(opts.runId);
  const used = await usedPrefixes(docker);
  for (const subnet of candidates) {
    if (used.some((u) => prefixesOverlap(u, `${subnet}.0/24`))) {
      if (fixed) throw new InputError(`subnet ${subnet}.0/24 overlaps a Docker network or a route on this machine; choose another`);
      continue;
    }
    try {
      const net = await withTimeout(
        docker.createNetwork({
          Name: opts.name,
          Driver: 'bridge',
          Internal: true,
          CheckDuplicate: true,
          Labels: { [RUN_LABEL]: opts.runId, [OWNER_LABEL]: opts.owner },
          IPAM: { Driver: 'default', Config: [{ Subnet: `${subnet}.0/24`, Gateway: gatewayAddr(subnet) }] },
        }),
        CALL_MS,
        `docker network create ${opts.name}`,
      );
      return { id: net.id, name: opts.name, subnet };
    } catch (e) {
      if (isOverlapError(e) && !fixed) continue;
      if (statusOf(e) === 409) {
        throw new Error(`docker network ${opts.name} already exists: run ${opts.runId} is live or was left behind (\`faultline cleanup\` removes a dead one)`);
      }
      throw e;
    }
  }
  throw new Error('no free 10.214.X.0/24 subnet for the docker runtime (run `faultline cleanup`?)');
}
