/**
 * The Maelstrom side of a built-in node: reads messages from stdin, answers `init`, dispatches every other
 * message to a handler by `body.type`, writes replies and peer messages to stdout, and pairs RPC replies
 * with their callbacks. Logs go to stderr only: stdout carries nothing but protocol lines.
 */
import { InitBodySchema, MessageSchema, type Body, type Message } from '../../harness/sim/protocol.js';

export type AnyBody = Body & Record<string, unknown>;
export type Handler = (msg: Message & { body: AnyBody }) => void;

interface Waiting {
  timer: NodeJS.Timeout;
  onReply: (body: AnyBody) => void;
  onTimeout: () => void;
}

export class NodeIO {
  nodeId = '';
  nodeIds: string[] = [];
  private readonly handlers = new Map<string, Handler>();
  private readonly waiting = new Map<number, Waiting>();
  private nextMsgId = 0;
  private carry = '';
  private outbox: string[] = [];
  private flushScheduled = false;
  private onInit: (() => void) | undefined;

  on(type: string, handler: Handler): void {
    this.handlers.set(type, handler);
  }

  /** Start reading stdin; `ready` runs once `init` has been answered. The process exits when stdin closes. */
  run(ready: () => void): void {
    this.onInit = ready;
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => this.onData(chunk));
    // The harness holds our stdin; when it goes away, so do we (a crashed controller leaves no orphans).
    process.stdin.on('end', () => this.exit(0));
    process.stdout.on('error', () => this.exit(0));
  }

  log(...parts: unknown[]): void {
    process.stderr.write(`${new Date().toISOString()} ${this.nodeId || '?'} ${parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ')}\n`);
  }

  send(dest: string, body: Record<string, unknown>): void {
    this.write(JSON.stringify({ src: this.nodeId, dest, body }));
  }

  reply(req: Message, body: Record<string, unknown>): void {
    this.send(req.src, { ...body, in_reply_to: req.body.msg_id });
  }

  /** Send a request to a peer; exactly one of the callbacks runs (late replies are ignored). */
  rpc(dest: string, body: Record<string, unknown>, timeoutMs: number, onReply: (body: AnyBody) => void, onTimeout: () => void): void {
    const msgId = ++this.nextMsgId;
    const timer = setTimeout(() => {
      if (this.waiting.delete(msgId)) onTimeout();
    }, timeoutMs);
    this.waiting.set(msgId, { timer, onReply, onTimeout });
    this.send(dest, { ...body, msg_id: msgId });
  }

  /** A fresh msg_id for one-way messages that still want one. */
  msgId(): number {
    return ++this.nextMsgId;
  }

  private write(line: string): void {
    this.outbox.push(line);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        const text = this.outbox.join('\n') + '\n';
        this.outbox = [];
        process.stdout.write(text);
      });
    }
  }

  private onData(chunk: string): void {
    const text = this.carry + chunk;
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl !== -1) {
      if (nl > start) this.onLine(text.slice(start, nl));
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    this.carry = text.slice(start);
  }

  private onLine(line: string): void {
    let msg: Message;
    try {
      const parsed = MessageSchema.safeParse(JSON.parse(line));
      if (!parsed.success) {
        this.log('ignoring malformed message:', parsed.error.issues[0].message, line.slice(0, 200));
        return;
      }
      msg = parsed.data;
    } catch {
      this.log('ignoring non-JSON line:', line.slice(0, 200));
      return;
    }
    const body = msg.body as AnyBody;
    if (body.in_reply_to !== undefined && msg.src !== this.nodeId) {
      const w = this.waiting.get(body.in_reply_to);
      if (w) {
        clearTimeout(w.timer);
        this.waiting.delete(body.in_reply_to);
        w.onReply(body);
        return;
      }
      if (!this.handlers.has(body.type)) return; // a late reply
    }
    if (body.type === 'init') {
      this.handleInit(msg);
      return;
    }
    const handler = this.handlers.get(body.type);
    if (!handler) {
      if (body.msg_id !== undefined) this.reply(msg, { type: 'error', code: 10, text: `unsupported message type ${body.type}` });
      return;
    }
    try {
      handler(msg as Message & { body: AnyBody });
    } catch (err) {
      this.log('handler failed:', body.type, (err as Error).stack ?? String(err));
      if (body.msg_id !== undefined) this.reply(msg, { type: 'error', code: 13, text: `internal error: ${(err as Error).message}` });
    }
  }

  private handleInit(msg: Message): void {
    const parsed = InitBodySchema.safeParse(msg.body);
    if (!parsed.success) {
      this.reply(msg, { type: 'error', code: 12, text: `malformed init: ${parsed.error.issues[0].message}` });
      return;
    }
    const first = this.nodeId === '';
    this.nodeId = parsed.data.node_id;
    this.nodeIds = parsed.data.node_ids;
    this.reply(msg, { type: 'init_ok' });
    if (first) this.onInit?.();
  }

  private exit(code: number): void {
    for (const w of this.waiting.values()) clearTimeout(w.timer);
    process.exit(code);
  }
}
