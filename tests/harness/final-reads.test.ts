// Final reads record what a failed read could still say about the node's own copy (its extent), so the
// log-replicas checker can judge a replica whose messages could not be read (harness -> history -> checker).
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { finalReads } from '../../harness/final-reads.js';
import { Recorder } from '../../harness/recorder.js';
import type { Cluster, FinalRead } from '../../harness/target.js';
import { checkLogReplicas } from '../../checkers/kafka/replicas.js';
import { readJsonl } from '../../histories/jsonl-reader.js';
import { JsonlWriter } from '../../histories/jsonl-writer.js';
import { tempDir } from '../tmp.js';

it('keeps a failed read\'s replica extent in the history, where log-replicas judges it', async () => {
  const file = join(tempDir(), 'history.jsonl');
  const writer = new JsonlWriter(file);
  const whole: [number, unknown][] = [[1, 'a'], [2, 'b'], [3, 'c']];
  const answers: Record<string, FinalRead> = {
    n1: { ok: true, value: whole },
    n2: { ok: false, value: null, error: "the direct get on n2 was not answered by n2's own replica", replica: { first: 1, last: 3, count: 2 } },
    n3: { ok: false, value: null, error: 'timeout' },
  };
  const cluster = { finalRead: async (node: string) => answers[node] } as unknown as Cluster;
  try {
    const summary = await finalReads({ cluster, nodes: ['n1', 'n2', 'n3'], keys: [0], recorder: new Recorder(writer, performance.now()), boundMs: 0, readTimeoutMs: 100 });
    expect(summary).toMatchObject({ converged: false, rounds: 1 });
  } finally {
    writer.close();
  }
  const { ops } = await readJsonl(file);
  const failed = ops.filter((o) => o.type === 'fail');
  expect(failed.map((o) => [o.node, (o as { replica?: unknown }).replica])).toEqual([
    ['n2', { first: 1, last: 3, count: 2 }],
    ['n3', undefined],
  ]);
  const r = checkLogReplicas(ops);
  expect(r.valid).toBe(false);
  expect(r.anomalies).toMatchObject([{ kind: 'replica-lost', node: 'n2', range: [1, 3], missing: 1 }]);
});
