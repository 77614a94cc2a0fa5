// Fan-out p99 per window of the trigger phase, built from the engine's per-second histograms, and the
// drift ratio a soak is judged by: last full steady window ÷ first. Only the current window's histogram is
// held; a closed window keeps its p99 and count.
import { LatencyHistogram } from "./latency-histogram.js";

export interface FanoutWindow {
  /** Window start, seconds since the run started. */
  t: number;
  p99Ms: number;
  count: number;
}

export class FanoutWindows {
  private readonly closed: FanoutWindow[] = [];
  private current = new LatencyHistogram();
  private currentStart: number;

  /** `startSeconds`: the trigger phase's start, seconds since the run started. */
  constructor(
    startSeconds: number,
    private readonly windowSeconds: number,
  ) {
    this.currentStart = startSeconds;
  }

  /** Adds the fan-out latencies of the second ending at `t` (seconds since the run started). */
  add(t: number, second: LatencyHistogram): void {
    while (t > this.currentStart + this.windowSeconds) this.close();
    this.current.merge(second);
  }

  private close(): void {
    this.closed.push({
      t: this.currentStart,
      p99Ms: this.current.count > 0 ? this.current.percentileMs(99) : 0,
      count: this.current.count,
    });
    this.current = new LatencyHistogram();
    this.currentStart += this.windowSeconds;
  }

  /** Full windows so far (the window still filling is left out: a partial window's p99 is noisier). */
  windows(): FanoutWindow[] {
    return this.closed.map((window) => ({ ...window }));
  }
}

/**
 * Last ÷ first p99 among full windows starting at or after `steadyFrom` that saw frames; null with fewer
 * than two, or when the first p99 is 0 (nothing to compare against).
 */
export function fanoutP99Drift(windows: readonly FanoutWindow[], steadyFrom: number): number | null {
  const steady = windows.filter((window) => window.t >= steadyFrom && window.count > 0);
  const first = steady[0];
  const last = steady[steady.length - 1];
  if (first === undefined || last === undefined || steady.length < 2 || first.p99Ms <= 0) return null;
  return last.p99Ms / first.p99Ms;
}
