/**
 * The client runner: `concurrency` slots, each bound to one node, each running its own generator. An op that
 * ends in `info` retires its process (its outcome is unknown, so the process may still be "in" that op) and
 * the slot carries on as a new process with a fresh client, as Jepsen does.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { NodeId } from './runtime.js';
import type { Client, ClientOp, ClientResult, Cluster } from './target.js';
import type { Recorder } from './recorder.js';
import type { GeneratorOptions } from './generator.js';
import { makeGenerator } from './workloads/index.js';
import { sleep, sleepUntil } from './time.js';

export interface ClientRunOptions {
  cluster: Cluster;
  nodes: readonly NodeId[];
  generator: Omit<GeneratorOptions, 'slots'>;
  concurrency: number;
  recorder: Recorder;
  opTimeoutMs: number;
  /** Total ops per second across all slots. */
  rate?: number;
  /** Hard bound on ops started, across all slots. */
  maxOps: number;
  logger: Logger;
}

export class ClientRunner {
  private stopped = false;
  private started = 0;
  private nextSlotAt = performance.now();
  private readonly abort = new AbortController();

  constructor(private readonly o: ClientRunOptions) {
    // Every slot waits on this one signal at once: more than Node's default 10 listeners is expected, not a leak
    // (25 Maelstrom nodes with a client each printed a MaxListenersExceededWarning).
    setMaxListeners(o.concurrency + 1, this.abort.signal);
  }

  /** Start every slot; resolves when all have stopped (after `stop()`, or when maxOps is used up). */
  async run(): Promise<void> {
    const slots = Array.from({ length: this.o.concurrency }, (_, s) => this.slot(s));
    await Promise.all(slots);
  }

  /** Start no new ops; ops in flight still finish (each is bounded by the op timeout). */
  stop(): void {
    this.stopped = true;
    this.abort.abort();
  }

  private async gate(): Promise<boolean> {
    if (this.stopped || this.started >= this.o.maxOps) return false;
    this.started++;
    if (this.o.rate) {
      const at = Math.max(performance.now(), this.nextSlotAt);
      this.nextSlotAt = at + 1000 / this.o.rate;
      if (!(await sleepUntil(at, this.abort.signal))) return false;
    }
    return !this.stopped;
  }

  private async open(node: NodeId, process: number): Promise<Client | undefined> {
    // Opening may fail while a node is down; keep trying until stopped, without spinning.
    while (!this.stopped) {
      try {
        return await this.o.cluster.openClient(node, process);
      } catch (err) {
        this.o.logger.debug({ node, process, err: (err as Error).message }, 'client open failed; retrying');
        await sleep(200, this.abort.signal);
      }
    }
    return undefined;
  }

  private async slot(slot: number): Promise<void> {
    const { nodes, concurrency, recorder } = this.o;
    const node = nodes[slot % nodes.length];
    const gen = makeGenerator(slot, { ...this.o.generator, slots: concurrency });
    let process = slot;
    let client = await this.open(node, process);
    while (client && (await this.gate())) {
      const op: ClientOp = gen.next();
      recorder.invoke(process, op, node);
      let result: ClientResult;
      try {
        result = await client.invoke(op, this.o.opTimeoutMs);
      } catch (err) {
        // A client that throws instead of reporting leaves the outcome unknown.
        result = { type: 'info', error: `client error: ${(err as Error).message}` };
      }
      recorder.complete(process, op, result, node);
      gen.observe(op, result.type, result.value);
      // A client that answers synchronously (a dead socket failing fast) must not starve timers and I/O.
      await new Promise<void>((r) => setImmediate(r));
      if (result.type === 'info') {
        await client.close().catch(() => undefined);
        process += concurrency;
        client = await this.open(node, process);
      }
    }
    await client?.close().catch(() => undefined);
  }
}
