// The load generator watches itself: a saturated generator makes latencies up (frames wait in its own
// queue, not the backend's), so the run is marked invalid instead of reporting those numbers.
import { readFileSync } from "node:fs";
import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import { parseThreshold, parseThresholdKey } from "../core/thresholds.js";

/** Above any limit, measured over the triggering and drain phases, the run is invalid. */
export interface SaturationLimits {
  /** Engine process CPU (user + system) as a fraction of one core: Node handles frames on one thread. */
  cpuFraction: number;
  /**
   * p99 of event-loop delay: how late a due callback ran, so roughly how late frames were timestamped.
   * It includes time the OS kept the process off the CPU (a machine shared with the pods under test).
   * A trigger that starts later than this after its due time counts as a late start.
   */
  eventLoopLagP99Ms: number;
  /** Fraction of triggers that may start late before the arrival rate counts as not held. */
  lateStartFraction: number;
}

export const defaultSaturationLimits: SaturationLimits = {
  cpuFraction: 0.8,
  eventLoopLagP99Ms: 10,
  lateStartFraction: 0.01,
};

/** Latency metrics whose thresholds the generator's own lag can shift. */
const latencyMetrics = ["crosspod_fanout_latency", "crosspod_e2e_latency"];

/**
 * The default lag limit for a run: 10 ms, or a tenth of the tightest latency bound its thresholds judge,
 * whichever is larger. Lag adds to every timestamp, so what matters is its size against the budget being
 * judged: 16 ms of lag (seen on a 2-core machine running the pods too) cannot flip a p(99)<250 verdict
 * unless the true p99 already sits within 10% of the bound, while it would swamp a p(99)<20 one.
 */
export function lagLimitForThresholds(thresholds: Record<string, readonly string[]>): number {
  let tightestMs = Number.POSITIVE_INFINITY;
  for (const [key, expressions] of Object.entries(thresholds)) {
    // Per-phase keys (crosspod_fanout_latency{phase:steady}) budget the same latency.
    if (!latencyMetrics.includes(parseThresholdKey(key).metric)) continue;
    for (const expression of expressions) {
      const { op, value } = parseThreshold(expression);
      if ((op === "<" || op === "<=") && value < tightestMs) tightestMs = value;
    }
  }
  const budgetShare = Number.isFinite(tightestMs) ? tightestMs / 10 : 0;
  return Math.max(defaultSaturationLimits.eventLoopLagP99Ms, budgetShare);
}

export interface GeneratorFigures {
  cpuFraction: number;
  eventLoopLagP99Ms: number;
  eventLoopLagMaxMs: number;
  rssBytes: number;
  peakRssBytes: number;
}

export class GeneratorHealth {
  private readonly lag: IntervalHistogram = monitorEventLoopDelay({ resolution: 5 });
  private cpuAtStart = process.cpuUsage();
  private wallAtStartMs = performance.now();
  private peakRssBytes = process.memoryUsage.rss();

  constructor() {
    this.lag.enable();
  }

  /** Starts the measured window (counters and the lag histogram restart). */
  restart(): void {
    this.lag.reset();
    this.cpuAtStart = process.cpuUsage();
    this.wallAtStartMs = performance.now();
  }

  /** Call about once a second so the peak RSS is seen. */
  sampleMemory(): number {
    const rss = process.memoryUsage.rss();
    if (rss > this.peakRssBytes) this.peakRssBytes = rss;
    return rss;
  }

  figures(): GeneratorFigures {
    const cpu = process.cpuUsage(this.cpuAtStart);
    const wallMs = Math.max(1, performance.now() - this.wallAtStartMs);
    return {
      cpuFraction: (cpu.user + cpu.system) / 1000 / wallMs,
      eventLoopLagP99Ms: this.lag.count > 0 ? this.lag.percentile(99) / 1e6 : 0,
      eventLoopLagMaxMs: this.lag.count > 0 ? this.lag.max / 1e6 : 0,
      rssBytes: this.sampleMemory(),
      peakRssBytes: this.peakRssBytes,
    };
  }

  stop(): void {
    this.lag.disable();
  }
}

/** Reasons the run's numbers cannot be trusted, from the generator's own figures. */
export function saturationReasons(
  figures: GeneratorFigures,
  lateStarts: number,
  triggersDue: number,
  limits: SaturationLimits = defaultSaturationLimits,
): string[] {
  const reasons: string[] = [];
  if (figures.cpuFraction > limits.cpuFraction) {
    reasons.push(
      `load generator CPU ${(figures.cpuFraction * 100).toFixed(0)}% of a core > ${limits.cpuFraction * 100}%: latencies include its own queueing`,
    );
  }
  if (figures.eventLoopLagP99Ms > limits.eventLoopLagP99Ms) {
    // Lag with CPU to spare means the OS kept the generator waiting: other processes (often the pods
    // under test on the same machine) had the cores.
    const cause =
      figures.cpuFraction > limits.cpuFraction
        ? "frames were timestamped late"
        : `frames were timestamped late while it used ${(figures.cpuFraction * 100).toFixed(0)}% of a core: the machine's CPUs were oversubscribed`;
    reasons.push(
      `load generator event-loop lag p99 ${figures.eventLoopLagP99Ms.toFixed(1)} ms > ${limits.eventLoopLagP99Ms} ms: ${cause}`,
    );
  }
  if (triggersDue > 0 && lateStarts / triggersDue > limits.lateStartFraction) {
    reasons.push(
      `${lateStarts} of ${triggersDue} triggers started more than ${limits.eventLoopLagP99Ms} ms late (> ${limits.lateStartFraction * 100}%): the arrival rate was not held`,
    );
  }
  return reasons;
}

/** The process's open-file soft limit (Linux), which bounds how many connections one process can hold. */
export function openFileLimit(): number | undefined {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const soft = line?.split(/\s{2,}/)[1];
    const value = Number(soft);
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
