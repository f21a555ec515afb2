/**
 * Carries out a planned fault schedule against a runtime, recording every start and stop as a nemesis op,
 * and undoes whatever is still in force when asked to heal (end of the main phase, Ctrl-C, or a crash path).
 */
import type { Logger } from 'pino';
import type { Runtime } from '../runtime.js';
import { faultValue, type FaultSpec, type PlannedFault } from './schedule.js';
import { sleepUntil } from '../time.js';
import { faultOf } from '../faults/index.js';

export interface NemesisRecorder {
  (f: string, value: unknown, error?: string): void;
}

export class NemesisRunner {
  private active: FaultSpec[] = [];
  private done = false;

  constructor(
    private readonly runtime: Runtime,
    private readonly record: NemesisRecorder,
    private readonly logger: Logger,
  ) {}

  /** The faults in force now, for the progress line. */
  inForce(): string[] {
    return this.active.map((f) => f.kind);
  }

  /** Each fault's options are checked against its schema first: a bad plan is a recorded error, not a crash. */
  private async apply(f: FaultSpec): Promise<void> {
    const fault = faultOf(f.kind);
    await fault.apply(this.runtime, fault.schema.parse(f.spec));
  }

  /** Undo the fault; what it returns goes into the stop op's value (what the fault did while in force). */
  private async undo(f: FaultSpec): Promise<Record<string, unknown> | void> {
    return faultOf(f.kind).undo(this.runtime, f.spec);
  }

  private async step(verb: 'start' | 'stop', f: FaultSpec): Promise<void> {
    const name = `${verb}-${f.kind}`;
    try {
      let extra: Record<string, unknown> | void = undefined;
      if (verb === 'start') {
        await this.apply(f);
        this.active.push(f);
      } else {
        extra = await this.undo(f);
        this.active = this.active.filter((a) => a !== f);
      }
      this.record(name, { ...faultValue(f), ...(extra ?? {}) });
    } catch (err) {
      const msg = (err as Error).message;
      this.logger.warn({ fault: name, err: msg }, 'nemesis step failed');
      this.record(name, faultValue(f), msg);
      if (verb === 'stop') this.active = this.active.filter((a) => a !== f);
    }
  }

  /** Run the plan; `t0` is the main phase's start (ms, performance.now clock). Returns when done or aborted. */
  async run(plan: PlannedFault[], t0: number, signal: AbortSignal): Promise<void> {
    for (const p of plan) {
      if (!(await sleepUntil(t0 + p.startAt * 1000, signal))) return;
      if (this.done) return;
      await this.step('start', p.fault);
      if (!(await sleepUntil(t0 + p.stopAt * 1000, signal))) return;
      if (this.done) return;
      await this.step('stop', p.fault);
    }
  }

  /** Undo every fault still in force, newest first. */
  async healAll(): Promise<void> {
    this.done = true;
    for (const f of [...this.active].reverse()) await this.step('stop', f);
  }
}
