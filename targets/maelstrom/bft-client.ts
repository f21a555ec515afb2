/**
 * The client of the built-in BFT store, as PBFT's clients work: each request goes to every node under one
 * request id of the client's own, and the answer is the one f+1 nodes give alike, so at least one honest node
 * vouches for it whatever f traitors say. No f+1 alike within the timeout leaves the op unknown (`info`).
 */
import type { Client, ClientOp, ClientResult } from '../../harness/target.js';
import { resultOf } from './client.js';
import { kvFormat } from '../../harness/workloads/register.js';
import type { Requester } from '../../harness/workloads/index.js';

export class BftClient implements Client {
  private seq = 0;

  constructor(
    private readonly net: Requester & { request(node: string, body: Record<string, unknown>, timeoutMs: number, client?: string): Promise<Record<string, unknown>> },
    private readonly nodes: readonly string[],
    private readonly clientId: string,
  ) {}

  /** The most traitors the cluster tolerates, and so how many alike answers make one trustworthy (f+1). */
  get f(): number {
    return Math.floor((this.nodes.length - 1) / 3);
  }

  invoke(op: ClientOp, timeoutMs: number): Promise<ClientResult> {
    const body = { ...kvFormat.request(op), req: `${this.clientId}-${++this.seq}` };
    const need = this.f + 1;
    return new Promise((resolve) => {
      const tally = new Map<string, number>();
      let left = this.nodes.length;
      let settled = false;
      for (const node of this.nodes) {
        this.net
          .request(node, body, timeoutMs, this.clientId)
          .then((reply) => {
            const { in_reply_to: _r, msg_id: _m, ...answer } = reply;
            const key = JSON.stringify(answer);
            const n = (tally.get(key) ?? 0) + 1;
            tally.set(key, n);
            if (n >= need && !settled) {
              settled = true;
              resolve(resultOf(op, answer, kvFormat));
            }
          })
          .catch(() => undefined)
          .finally(() => {
            if (--left === 0 && !settled) {
              settled = true;
              resolve({ type: 'info', error: tally.size === 0 ? 'timeout' : `no ${need} nodes answered alike: ${[...tally.keys()].join(' / ').slice(0, 300)}` });
            }
          });
      }
    });
  }

  async close(): Promise<void> {}
}
