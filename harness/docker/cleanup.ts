/**
 * Removes the containers and networks that docker runs left behind (a crash, a dropped runtime), found by
 * their `faultline.run` label. With a run id, that run's objects go whatever their state. Without one, every
 * labelled object goes except those whose owning harness process still lives, so a cleanup never breaks a
 * concurrent run. No engine answering is not an error: there is then nothing to clean, and [] is returned.
 */
import type Dockerode from 'dockerode';
import { isSameProcessAlive } from '../kernel/procs.js';
import { connectEngine, OWNER_LABEL, pingEngine, ROLE_LABEL, RUN_LABEL, statusOf, type DockerOptions } from './engine.js';
import { withTimeout } from '../time.js';

const CALL_MS = 20_000;

function ownerAlive(label: string | undefined): boolean {
  const m = /^(\d+):(\d+)$/.exec(label ?? '');
  if (!m) return false;
  return isSameProcessAlive({ pid: Number(m[1]), startTime: m[2] });
}

function selected(labels: Record<string, string> | undefined, runId: string | undefined): boolean {
  if (!labels || labels[RUN_LABEL] === undefined) return false;
  if (runId !== undefined) return labels[RUN_LABEL] === runId;
  return !ownerAlive(labels[OWNER_LABEL]);
}

export async function cleanupDocker(runId?: string, options?: DockerOptions): Promise<string[]> {
  const { docker, url } = connectEngine(options);
  try {
    await pingEngine(docker, url, 3000);
  } catch {
    return [];
  }
  const filter = runId === undefined ? RUN_LABEL : `${RUN_LABEL}=${runId}`;
  const removed: string[] = [];

  const containers = (await withTimeout(docker.listContainers({ all: true, filters: { label: [filter] } }), CALL_MS, 'docker ps')).filter((c) =>
    selected(c.Labels, runId),
  );
  // Node containers before the sandboxes whose network namespaces they share.
  const waves = [containers.filter((c) => c.Labels[ROLE_LABEL] !== 'sandbox'), containers.filter((c) => c.Labels[ROLE_LABEL] === 'sandbox')];
  for (const wave of waves) {
    await Promise.all(
      wave.map(async (c) => {
        const name = (c.Names[0] ?? c.Id).replace(/^\//, '');
        if (await removeQuietly(() => docker.getContainer(c.Id).remove({ force: true, v: true }), `docker rm -f ${name}`)) {
          removed.push(`container ${name}`);
        }
      }),
    );
  }

  // Networks after containers: the engine refuses to remove a network that still has endpoints.
  const networks: Dockerode.NetworkInspectInfo[] = await withTimeout(docker.listNetworks({ filters: { label: [filter] } }), CALL_MS, 'docker network ls');
  for (const n of networks.filter((x) => selected(x.Labels, runId))) {
    if (await removeQuietly(() => docker.getNetwork(n.Id).remove(), `docker network rm ${n.Name}`)) removed.push(`network ${n.Name}`);
  }
  return removed;
}

/** True when removed; false when already gone (404). Anything else is an error worth seeing. */
async function removeQuietly(f: () => Promise<unknown>, what: string): Promise<boolean> {
  try {
    await withTimeout(f(), CALL_MS, what);
    return true;
  } catch (e) {
    if (statusOf(e) === 404) return false;
    throw e;
  }
}
