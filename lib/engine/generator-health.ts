// The load generator watches itself: a saturated generator makes latencies up (frames wait in its own
// queue, not the backend's), so the run is marked invalid instead of reporting those numbers.
import { readFileSync } from "node:fs";
import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";

/** Above either limit, measured over the triggering and drain phases, the run is invalid. */
export const saturationLimits = {
  /** Engine process CPU (user + system) as a fraction of one core: Node handles frames on one thread. */
  cpuFraction: 0.8,
  /** p99 of event-loop delay: how late a due callback ran, so roughly how late frames were timestamped. */
  eventLoopLagP99Ms: 10,
  /** Fraction of triggers that started later than the arrival schedule allowed. */
  lateStartFraction: 0.01,
} as const;

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
): string[] {
  const reasons: string[] = [];
  if (figures.cpuFraction > saturationLimits.cpuFraction) {
    reasons.push(
      `load generator CPU ${(figures.cpuFraction * 100).toFixed(0)}% of a core > ${saturationLimits.cpuFraction * 100}%: latencies include its own queueing`,
    );
  }
  if (figures.eventLoopLagP99Ms > saturationLimits.eventLoopLagP99Ms) {
    reasons.push(
      `load generator event-loop lag p99 ${figures.eventLoopLagP99Ms.toFixed(1)} ms > ${saturationLimits.eventLoopLagP99Ms} ms: frames were timestamped late`,
    );
  }
  if (triggersDue > 0 && lateStarts / triggersDue > saturationLimits.lateStartFraction) {
    reasons.push(
      `${lateStarts} of ${triggersDue} triggers started late (> ${saturationLimits.lateStartFraction * 100}%): the arrival rate was not held`,
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
