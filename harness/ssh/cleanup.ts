/**
 * `faultline cleanup --hosts FILE`: undo on every host what ssh runs left there (a crashed harness, a teardown
 * that could not reach a host): the processes recorded in each run's pidfiles (by PID and start time, never by
 * name), faultline's own iptables chains and the jumps to them, and the run folders. A run whose harness still
 * lives on this machine is left alone, and so are the chains of a host that carries one.
 *
 * Returns what was removed, and throws an Error listing the hosts it could not reach or clean.
 */
import { hostname } from 'node:os';
import { isSameProcessAlive } from '../kernel/procs.js';
import { hostLabel, type Host, type HostsFile } from './hosts.js';
import { SshPool, sq } from './pool.js';
import { listRefsScript, removeChainsScript, runPaths, signalScript } from './remote.js';

export interface SshCleanupResult {
  removed: string[];
  /** One line per host that could not be (fully) cleaned, with why. */
  failed: string[];
}

function ownerAlive(text: string): boolean {
  try {
    const o = JSON.parse(text) as { host?: string; pid?: number; startTime?: string };
    return o.host === hostname() && typeof o.pid === 'number' && typeof o.startTime === 'string' && o.startTime !== '' && isSameProcessAlive({ pid: o.pid, startTime: o.startTime });
  } catch {
    return false;
  }
}

async function cleanHost(pool: SshPool, h: Host, runId: string | undefined, out: SshCleanupResult): Promise<void> {
  const label = hostLabel(h);
  const runsDir = `${h.dir}/runs`;
  const listing = await pool.run(h, `[ -d ${sq(runsDir)} ] && for d in ${sq(runsDir)}/*/; do [ -d "$d" ] && basename "$d"; done; exit 0`);
  const runs = listing.split('\n').map((s) => s.trim()).filter((s) => /^[A-Za-z0-9._-]+$/.test(s));
  let live = false;
  for (const id of runs) {
    if (runId !== undefined && id !== runId) continue;
    const p = runPaths(h.dir, id);
    const owner = await pool.run(h, `cat ${sq(p.root + '/owner')} 2>/dev/null; exit 0`);
    if (runId === undefined && ownerAlive(owner)) {
      live = true;
      continue;
    }
    const refs = (await pool.run(h, listRefsScript(p.pids)))
      .split('\n')
      .map((l) => /^(\S+) (\d+) (\d+)$/.exec(l.trim()))
      .filter((m): m is RegExpExecArray => m !== null);
    if (refs.length > 0) {
      const res = await pool.run(h, signalScript(refs.map((m) => ({ pid: Number(m[2]), startTime: m[3] })), 'KILL', true));
      for (const m of refs) {
        if (res.includes(`${m[2]} signalled`)) out.removed.push(`${label}: process ${m[1]} (PID ${m[2]}) of run ${id}`);
      }
      if (/alive/.test(res)) {
        out.failed.push(`${label}: processes of run ${id} survived SIGKILL: ${res.trim().replace(/\n/g, '; ')}`);
        continue;
      }
    }
    await pool.run(h, `rm -rf ${sq(p.root)}`);
    out.removed.push(`${label}: run folder ${p.root}`);
  }
  // Chains are per host, and a host carries one run at a time: remove them unless a live run holds the host.
  if (live) return;
  const present = await pool.run(h, `{ iptables -w -S; iptables -w -t nat -S; } 2>/dev/null | grep -c -e FAULTLINE-PART -e FAULTLINE-LOSS -e FAULTLINE-LAT; exit 0`);
  if (Number(present.trim()) > 0) {
    const leftRules = await pool.run(h, removeChainsScript());
    if (leftRules.trim()) out.failed.push(`${label}: iptables rules of faultline remain: ${leftRules.trim().replace(/\n/g, '; ')}`);
    else out.removed.push(`${label}: iptables chains FAULTLINE-PART, FAULTLINE-LOSS, FAULTLINE-LAT and their jumps`);
  }
}

export async function cleanupSsh(file: HostsFile, runId?: string): Promise<SshCleanupResult> {
  const pool = new SshPool(file);
  const out: SshCleanupResult = { removed: [], failed: [] };
  try {
    await Promise.all(
      file.hosts.map(async (h) => {
        try {
          await cleanHost(pool, h, runId, out);
        } catch (err) {
          out.failed.push(`${hostLabel(h)}: ${(err as Error).message}`);
        }
      }),
    );
  } finally {
    pool.close();
  }
  return out;
}
