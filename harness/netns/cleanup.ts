/**
 * Removes what netns runs left behind after a crash: their processes (by PID, checked against the recorded
 * start time), namespaces (which takes their iptables rules and veths with them), root-namespace veths,
 * state files and subnet reservations.
 *
 * With a run id, that run is cleaned whatever its state. Without one, every run whose owning harness
 * process is gone is cleaned, plus namespaces, links and subnet reservations with our naming pattern that
 * no live run claims (a state file may have been lost, or kept in another state folder). Runs whose owner
 * still lives are left alone, so a cleanup never breaks a concurrent run.
 */
import { isSameProcessAlive, procStartTime, signalProc, waitGone, type ProcRef } from '../kernel/procs.js';
import { listNamespaces, listRootLinks, namespacePids } from './shell.js';
import { runTag, tagOfNamespace, tagOfRootLink } from './names.js';
import { DEFAULT_STATE_DIR, listStates, listSubnetLocks, releaseSubnet, removeState } from './state.js';
import { destroyNetwork } from './topology.js';

const UNRECORDED_LOCK_GRACE_MS = 60_000;

export async function cleanup(runId?: string, stateDir: string = DEFAULT_STATE_DIR): Promise<string[]> {
  const removed: string[] = [];
  const wantTag = runId === undefined ? null : runTag(runId);
  const states = listStates(stateDir).filter((s) => (wantTag === null ? !isOwnerAlive(s.owner) : s.tag === wantTag));
  const liveTags = new Set(listStates(stateDir).filter((s) => isOwnerAlive(s.owner)).map((s) => s.tag));
  const allNs = await listNamespaces();
  const allLinks = await listRootLinks();

  const tags = tagsToClean(wantTag, states, liveTags, allNs, allLinks, listSubnetLocks(stateDir));
  for (const tag of tags) {
    const state = states.find((s) => s.tag === tag);
    const namespaces = allNs.filter((ns) => tagOfNamespace(ns) === tag);
    const links = allLinks.filter((l) => tagOfRootLink(l) === tag);

    const victims: ProcRef[] = [];
    for (const p of state?.procs ?? []) if (procStartTime(p.pid) === p.startTime) victims.push(p);
    for (const ns of namespaces) {
      for (const pid of await namespacePids(ns)) {
        const st = procStartTime(pid);
        if (st !== null && !victims.some((v) => v.pid === pid)) victims.push({ pid, startTime: st });
      }
    }
    for (const v of victims) if (signalProc(v, 'SIGKILL')) removed.push(`process ${v.pid}`);
    await Promise.all(victims.map((v) => waitGone(v, 10_000)));

    removed.push(...(await destroyNetwork(links, namespaces)));
    if (state) {
      releaseSubnet(stateDir, state.subnet, tag);
      removeState(stateDir, tag);
      removed.push(`state ${state.runId}`);
    }
    for (const lock of listSubnetLocks(stateDir)) {
      if (lock.tag === tag) {
        releaseSubnet(stateDir, lock.subnet, tag);
        removed.push(`subnet ${lock.subnet}.0/24`);
      }
    }
  }
  return removed;
}

/**
 * Which tags to clean: those of the selected state files, plus, for "all", objects of ours that no live run
 * claims. A run reserves its subnet just before it records its state file, so a young lock with no state may
 * be a live run in between; releasing it would hand its subnet to the next run.
 */
export function tagsToClean(
  wantTag: string | null,
  states: readonly { tag: string }[],
  liveTags: ReadonlySet<string>,
  namespaces: readonly string[],
  links: readonly string[],
  locks: readonly { tag: string; ageMs: number }[],
): Set<string> {
  const tags = new Set(states.map((s) => s.tag));
  if (wantTag !== null) {
    tags.add(wantTag);
    return tags;
  }
  for (const ns of namespaces) {
    const t = tagOfNamespace(ns);
    if (t && !liveTags.has(t)) tags.add(t);
  }
  for (const l of links) {
    const t = tagOfRootLink(l);
    if (t && !liveTags.has(t)) tags.add(t);
  }
  for (const lock of locks) if (!liveTags.has(lock.tag) && lock.ageMs > UNRECORDED_LOCK_GRACE_MS) tags.add(lock.tag);
  return tags;
}

function isOwnerAlive(owner: ProcRef): boolean {
  return owner.startTime !== '' && isSameProcessAlive(owner);
}
