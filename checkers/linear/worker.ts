/** Worker-thread entry: checks the keys it is sent and replies with their verdicts (see pool.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { getModel } from '../models/index.js';
import type { Model } from '../models/model.js';
import { checkPartition } from './check-partition.js';
import { unpack, type WorkerInit, type WorkerJob, type WorkerReply } from './pool.js';

const init = workerData as WorkerInit;
const port = parentPort;

if (port) {
  const model = getModel(init.model) as Model<unknown>;
  port.on('message', (msg: WorkerJob) => {
    let reply: WorkerReply;
    try {
      reply = { results: msg.jobs.map(({ id, packed }) => ({ id, verdict: checkPartition(model, init.initial, unpack(packed), init.budget) })) };
    } catch (err) {
      const e = err as Error;
      reply = { error: { name: e.name, message: e.message } };
    }
    port.postMessage(reply);
  });
}
