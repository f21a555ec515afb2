/**
 * After the final reads, ask every node what it committed per height (targets that expose it, see
 * Cluster.replicaLog) and write one `replica-log` event per node into the history, where the
 * replica-agreement checker compares them. A node that does not answer is recorded as such: the checker
 * then compares the others.
 */
import { REPLICA_LOG } from '../histories/conventions.js';
import type { NodeId } from './runtime.js';
import type { Cluster } from './target.js';
import type { Recorder } from './recorder.js';

export async function recordReplicaLogs(cluster: Cluster, nodes: readonly NodeId[], recorder: Recorder, timeoutMs: number): Promise<void> {
  if (!cluster.replicaLog) return;
  const answers = await Promise.all(
    nodes.map(async (node) => {
      try {
        const l = await cluster.replicaLog!(node, timeoutMs);
        return { node, from: l.from, ids: l.ids };
      } catch (err) {
        return { node, error: (err as Error).message };
      }
    }),
  );
  for (const a of answers) recorder.nemesis(REPLICA_LOG, a);
}
