/**
 * Carries out a planned fault schedule against a runtime, recording every start and stop as a nemesis op,
 * and undoes whatever is still in force when asked to heal (end of the main phase, Ctrl-C, or a crash path).
 */
import type { Logger } from 'pino';
import type { Runtime } from '../runtime.js';
import type { Roles } from '../faults/fault.js';
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
    /** Who holds each role now, from the target (Cluster.roles), for windows aimed at a role. */
    private readonly roles?: () => Promise<Roles>,
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

  /**
   * A window aimed at a role, with the role's holder now moved into it; any other window as planned. Throws
   * when no node holds the role (mid-failover) or the target names none: the window is then not started.
   */
  private async aim(f: FaultSpec): Promise<FaultSpec> {
    if (!f.aim) return f;
    const fault = faultOf(f.kind);
    if (!fault.aimAt) throw new Error(`${f.kind} faults cannot be aimed at a ${f.aim}`);
    if (!this.roles) throw new Error(`the target names no ${f.aim}, so this window cannot be aimed at one`);
    const node = (await this.roles())[f.aim];
    if (node === undefined) throw new Error(`no node is ${f.aim} now (a failover under way?), so this window was not started`);
    return { ...f, spec: fault.aimAt(fault.schema.parse(f.spec), node) } as FaultSpec;
  }

  /** Undo the fault; what it returns goes into the stop op's value (what the fault did while in force). */
  private async undo(f: FaultSpec): Promise<Record<string, unknown> | void> {
    return faultOf(f.kind).undo(this.runtime, f.spec);
  }

  /**
   * Start or stop a window. A start returns the window as made (an aimed one names its nodes now), for the
   * stop to undo; null when an aimed window found no node to aim at, so there is nothing to stop.
   */
  private async step(verb: 'start' | 'stop', planned: FaultSpec): Promise<FaultSpec | null> {
    const name = `${verb}-${planned.kind}`;
    let f = planned;
    try {
      let extra: Record<string, unknown> | void = undefined;
      if (verb === 'start') {
        try {
          f = await this.aim(planned);
        } catch (err) {
          const msg = (err as Error).message;
          this.logger.warn({ fault: name, err: msg }, 'nemesis could not aim the window');
          this.record(name, faultValue(planned), msg);
          return null;
        }
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
    return f;
  }

  /** Run the plan; `t0` is the main phase's start (ms, performance.now clock). Returns when done or aborted. */
  async run(plan: PlannedFault[], t0: number, signal: AbortSignal): Promise<void> {
    for (const p of plan) {
      if (!(await sleepUntil(t0 + p.startAt * 1000, signal))) return;
      if (this.done) return;
      const made = await this.step('start', p.fault);
      if (!(await sleepUntil(t0 + p.stopAt * 1000, signal))) return;
      if (this.done) return;
      if (made) await this.step('stop', made);
    }
  }

  /** Undo every fault still in force, newest first. */
  async healAll(): Promise<void> {
    this.done = true;
    for (const f of [...this.active].reverse()) await this.step('stop', f);
  }
}
