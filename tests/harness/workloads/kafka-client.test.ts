/**
 * The Maelstrom kafka client's consumer position (harness/workloads/kafka-client.ts) against a scripted node:
 * the position moves only when an op succeeds. A refused assign used to reset the position to the committed
 * offsets although the history records no assign, so the checker read the next poll as a skip; a timed-out
 * poll must leave no trace either.
 */
import { expect, it } from 'vitest';
import { KafkaClient } from '../../../harness/workloads/kafka-client.js';
import { checkKafka } from '../../../checkers/kafka/index.js';
import type { Requester } from '../../../harness/workloads/workload.js';
import type { Op } from '../../../histories/op.js';
import type { ClientOp } from '../../../harness/target.js';

type Body = Record<string, unknown>;

/** A one-log node: log 0 holds messages 100.. at offsets 0..; committed offsets are set by the test. */
function node(log: number[], committed: Record<string, number>) {
  const asked: Body[] = [];
  let refuseCommitted = false;
  let timeOutPoll = false;
  const net: Requester = {
    request: async (_node, body) => {
      asked.push(body);
      switch (body.type) {
        case 'list_committed_offsets':
          if (refuseCommitted) return { type: 'error', code: 11, text: 'temporarily unavailable' };
          return { type: 'list_committed_offsets_ok', offsets: committed };
        case 'poll': {
          if (timeOutPoll) throw Object.assign(new Error('timeout'), { name: 'TimeoutError' });
          const from = (body.offsets as Record<string, number>)['0'] ?? 0;
          const msgs = log.slice(from, from + 2).map((m, i) => [from + i, m]);
          return { type: 'poll_ok', msgs: msgs.length > 0 ? { '0': msgs } : {} };
        }
        case 'commit_offsets':
          return { type: 'commit_offsets_ok' };
      }
      return { type: 'error', code: 10, text: 'unsupported' };
    },
  };
  return {
    net,
    asked,
    refuse: (v: boolean) => (refuseCommitted = v),
    timeout: (v: boolean) => (timeOutPoll = v),
  };
}

it('a refused assign keeps the old position, so the next poll carries on where the last one stopped', async () => {
  const n = node([100, 101, 102, 103, 104, 105], { '0': 3 });
  const c = new KafkaClient(n.net, 'n1', 1);
  const ops: Op[] = [];
  const run = async (op: ClientOp) => {
    ops.push({ index: ops.length, type: 'invoke', process: 0, f: op.f, ...(op.key !== undefined ? { key: op.key } : {}), value: op.value } as Op);
    const r = await c.invoke(op, 1000);
    ops.push({ index: ops.length, type: r.type, process: 0, f: op.f, value: r.value, error: r.error } as Op);
    return r;
  };
  // The first poll starts after the committed offset 3.
  expect(await run({ f: 'poll' })).toEqual({ type: 'ok', value: { '0': [[4, 104], [5, 105]] } });
  n.refuse(true);
  expect((await run({ f: 'assign', value: [0] })).type).toBe('fail');
  n.refuse(false);
  // Still at 6, not back at 4 (committed: 3), which the history (no acknowledged assign) would call a step back.
  expect(await run({ f: 'poll' })).toEqual({ type: 'ok', value: {} });
  expect(n.asked.filter((b) => b.type === 'poll').map((b) => b.offsets)).toEqual([{ '0': 4 }, { '0': 6 }]);
  // A send to complete the history: the kafka checker then finds it clean.
  ops.push({ index: ops.length, type: 'invoke', process: 1, f: 'send', key: 0, value: 104 } as Op, { index: ops.length + 1, type: 'ok', process: 1, f: 'send', key: 0, value: 4 } as Op);
  expect(checkKafka(ops).anomalies).toEqual([]);
});

it('an acknowledged assign moves to the committed offsets; a timed-out poll leaves the position where it was', async () => {
  const n = node([100, 101, 102, 103, 104, 105], { '0': 1 });
  const c = new KafkaClient(n.net, 'n1', 1);
  expect(await c.invoke({ f: 'assign', value: [0] }, 1000)).toEqual({ type: 'ok', value: { '0': 2 } });
  n.timeout(true);
  expect((await c.invoke({ f: 'poll' }, 1000)).type).toBe('info');
  n.timeout(false);
  expect(await c.invoke({ f: 'poll' }, 1000)).toEqual({ type: 'ok', value: { '0': [[2, 102], [3, 103]] } });
  expect(n.asked.filter((b) => b.type === 'poll').map((b) => b.offsets)).toEqual([{ '0': 2 }, { '0': 2 }]);
});
