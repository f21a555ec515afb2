/**
 * The data behind a compare page's picture: for one run, how many client ops completed ok, failed or stayed
 * unknown per second, and when each fault was in force. It is cut from the run report's data (which already
 * bins the history), so a comparison costs nothing extra to draw, and is kept small enough to store in
 * compare.json (a few hundred bins and the fault bands).
 */
import type { ReportData } from './html/report-data.js';

export interface AvailabilityStrip {
  /** When the first client op began (ms since the run began): panels line up on it, since clusters take
   * different times to start and the fault schedule is timed from the load, not from the launch. */
  origin: number;
  /** Milliseconds since the run began at which bin i starts is `t0 + i * binMs`. */
  t0: number;
  binMs: number;
  /** Completions per second in each bin. */
  ok: number[];
  fail: number[];
  info: number[];
  /** Milliseconds since the run began. */
  spanMs: number;
  faults: { kind: string; row: string; label: string; start: number; end: number }[];
}

/** null when the history has no times (an imported history ordered by index only). */
export function availabilityStrip(d: ReportData): AvailabilityStrip | null {
  if (d.clock !== 'ms' || d.perf.t.length === 0) return null;
  return {
    origin: d.ops.start.length > 0 ? d.ops.start[0] : d.span[0],
    t0: d.span[0],
    binMs: d.perf.binMs,
    ok: d.perf.ok,
    fail: d.perf.fail,
    info: d.perf.info,
    spanMs: d.span[1],
    faults: d.faults.map((f) => ({ kind: f.kind, row: f.row, label: f.label, start: f.start, end: f.end })),
  };
}
