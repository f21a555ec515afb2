/**
 * A client of Maelstrom's kafka workload: `send {key, msg}` → `send_ok {offset}`; `poll {offsets}` →
 * `poll_ok {msgs}`, followed by `commit_offsets {offsets}` for what the poll returned; and on `assign`,
 * `list_committed_offsets {keys}` → `list_committed_offsets_ok {offsets}` to learn where to start. Log keys go
 * on the wire as strings, as Maelstrom sends them.
 *
 * The client keeps, per followed log, the next offset to poll from: its state is the consumer's position, so
 * a fresh client (after an op ended in `info`) starts from the committed offsets again. The position changes
 * only when an op succeeds: a refused `assign` leaves the old assignment and positions, because the checker
 * sees only acknowledged assigns and would read a poll that jumped to the committed offsets as a skip (or a
 * step back). Every request is awaited before the op ends, so a timed-out request has no later effect here.
 */
import type { Client, ClientOp, ClientResult, FinalRead } from '../target.js';
import type { Key } from '../../histories/op.js';
import { isDefiniteError } from './maelstrom-codes.js';
import type { Requester } from './workload.js';

type Reply = Record<string, unknown>;

export class KafkaClient implements Client {
  /** log key → next offset to poll; undefined until the committed offset is known */
  private readonly next = new Map<string, number | undefined>();

  constructor(
    private readonly net: Requester,
    private readonly node: string,
    keys: number,
  ) {
    for (let k = 0; k < keys; k++) this.next.set(String(k), undefined);
  }

  async invoke(op: ClientOp, timeoutMs: number): Promise<ClientResult> {
    try {
      switch (op.f) {
        case 'send':
          return await this.send(op, timeoutMs);
        case 'poll':
          return await this.poll(timeoutMs);
        case 'assign':
          return await this.assign((op.value as number[]).map(String), timeoutMs);
        default:
          throw new Error(`the kafka client has no message for op "${op.f}"`);
      }
    } catch (err) {
      if (err instanceof ReplyError) return err.result;
      return { type: 'info', error: (err as Error).name === 'TimeoutError' ? 'timeout' : (err as Error).message };
    }
  }

  async close(): Promise<void> {}

  private async call(body: Reply, expect: string, timeoutMs: number): Promise<Reply> {
    const reply = await this.net.request(this.node, body, timeoutMs);
    if (reply.type === 'error') {
      throw new ReplyError({ type: isDefiniteError(reply.code) ? 'fail' : 'info', error: [reply.code, reply.text ?? null] });
    }
    if (reply.type !== expect) throw new ReplyError({ type: 'info', error: `unexpected reply type ${String(reply.type)}` });
    return reply;
  }

  private async send(op: ClientOp, timeoutMs: number): Promise<ClientResult> {
    const r = await this.call({ type: 'send', key: String(op.key), msg: op.value }, 'send_ok', timeoutMs);
    if (!Number.isInteger(r.offset)) return { type: 'info', error: `send_ok without an integer offset: ${JSON.stringify(r.offset)}` };
    return { type: 'ok', value: r.offset };
  }

  private async poll(timeoutMs: number): Promise<ClientResult> {
    const unknown = [...this.next].filter(([, v]) => v === undefined).map(([k]) => k);
    if (unknown.length > 0) for (const [k, v] of Object.entries(await this.fetchCommitted(unknown, timeoutMs))) this.next.set(k, v);
    const offsets = Object.fromEntries([...this.next].map(([k, v]) => [k, v ?? 0]));
    if (Object.keys(offsets).length === 0) return { type: 'ok', value: {} };
    const r = await this.call({ type: 'poll', offsets }, 'poll_ok', timeoutMs);
    const msgs = r.msgs && typeof r.msgs === 'object' && !Array.isArray(r.msgs) ? (r.msgs as Record<string, unknown>) : {};
    const commit: Record<string, number> = {};
    for (const [k, pairs] of Object.entries(msgs)) {
      if (!Array.isArray(pairs)) continue;
      let max = -1;
      for (const p of pairs) if (Array.isArray(p) && Number.isInteger(p[0])) max = Math.max(max, p[0] as number);
      if (max >= 0 && this.next.has(k)) {
        this.next.set(k, Math.max(this.next.get(k) ?? 0, max + 1));
        commit[k] = max;
      }
    }
    // The consumer has processed what it polled: commit it, as Maelstrom's kafka client does after each poll.
    // A failed commit leaves the poll's answer standing; the next poll commits again.
    if (Object.keys(commit).length > 0) await this.call({ type: 'commit_offsets', offsets: commit }, 'commit_offsets_ok', timeoutMs).catch(() => undefined);
    return { type: 'ok', value: msgs };
  }

  private async assign(keys: string[], timeoutMs: number): Promise<ClientResult> {
    // Nothing changes until the committed offsets are in (a refusal throws before this point).
    const committed = await this.fetchCommitted(keys, timeoutMs);
    this.next.clear();
    for (const k of keys) this.next.set(k, committed[k]);
    return { type: 'ok', value: committed };
  }

  /** Where each log starts: after its committed offset (the consumer processed up to and including it), or 0. */
  private async fetchCommitted(keys: string[], timeoutMs: number): Promise<Record<string, number>> {
    const r = await this.call({ type: 'list_committed_offsets', keys }, 'list_committed_offsets_ok', timeoutMs);
    const offsets = r.offsets && typeof r.offsets === 'object' ? (r.offsets as Record<string, unknown>) : {};
    const out: Record<string, number> = {};
    for (const k of keys) {
      const c = offsets[k];
      out[k] = Number.isInteger(c) ? (c as number) + 1 : 0;
    }
    return out;
  }
}

class ReplyError extends Error {
  constructor(readonly result: ClientResult) {
    super('reply error');
  }
}

/** A kafka node's whole log for `key`: poll from offset 0 until a poll brings nothing new. */
export async function finalPoll(net: Requester, node: string, key: Key, timeoutMs: number): Promise<FinalRead> {
  const k = String(key);
  const pairs: [number, unknown][] = [];
  let from = 0;
  for (let round = 0; round < 1000; round++) {
    let r: Record<string, unknown>;
    try {
      r = await net.request(node, { type: 'poll', offsets: { [k]: from } }, timeoutMs);
    } catch (err) {
      return { ok: false, value: null, error: (err as Error).message };
    }
    if (r.type !== 'poll_ok') return { ok: false, value: null, error: JSON.stringify(r) };
    const got = (r.msgs as Record<string, unknown> | undefined)?.[k];
    const fresh = Array.isArray(got) ? got.filter((p): p is [number, unknown] => Array.isArray(p) && Number.isInteger(p[0]) && p[0] >= from) : [];
    if (fresh.length === 0) break;
    pairs.push(...fresh);
    from = Math.max(...fresh.map((p) => p[0])) + 1;
  }
  return { ok: true, value: pairs };
}
