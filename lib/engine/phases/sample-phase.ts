// Sample: once a second for the whole run, one point of the report's time series (connections, triggers
// and frames since the previous point, that second's fan-out p99, errors), one second of chaos impact,
// the generator's peak RSS, and the live progress line. Counts are divided by the real interval: a loaded
// generator samples late, and counts over 1.5 s are not a per-second rate.
import { LatencyHistogram } from "../../core/latency-histogram.js";
import type { TimeSeriesRecorder } from "../../core/run-recorder.js";
import type { RunProgress } from "../run-progress.js";
import type { RunTimeline } from "./run-timeline.js";

export interface SampledPod {
  readonly duplicates: number;
  readonly outOfOrder: number;
  mergeFanoutInto(into: LatencyHistogram): void;
}

export interface SamplerInput {
  timeline: RunTimeline;
  nowMs: () => number;
  pool: {
    /** The fan-out histogram of the second since the previous call. */
    takeSecond(): LatencyHistogram;
    readonly framesReceived: number;
    readonly connected: number;
    readonly pods: ReadonlyMap<string, SampledPod>;
  };
  triggersAccepted: () => number;
  /** Triggers answered 503 so far (Redis failovers' refusals); 0 when not given. */
  triggersRefused?: () => number;
  errorCount: () => number;
  /** Triggers sent and failed so far, for the chaos seconds (per-phase figures). */
  triggerTotals?: () => { sent: number; failed: number };
  timeSeries: TimeSeriesRecorder;
  chaos?: {
    second(
      endMs: number,
      fanout: LatencyHistogram,
      totals: { duplicates: number; outOfOrder: number; refused: number },
    ): void;
  };
  memory: { sampleMemory(): number };
  progressTotals: { totalSeconds: number; targetConnections: number; triggersTotal: number };
  onProgress?: (progress: RunProgress) => void;
  /** Each sample's second of fan-out latencies, for whoever watches the run beside it (drift, checkpoints). */
  onSecond?: (atMs: number, fanout: LatencyHistogram) => void;
}

export class RunSampler {
  private last: { atMs: number; frames: number; accepted: number; errors: number };
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly input: SamplerInput) {
    this.last = { atMs: input.timeline.startedAtMs, frames: 0, accepted: 0, errors: 0 };
  }

  start(intervalMs = 1000): void {
    this.timer ??= setInterval(() => this.sample(), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The final sample closes the series and the chaos seconds but prints no progress. */
  sample(final = false): void {
    const { input } = this;
    const { pool } = input;
    const atMs = input.nowMs();
    const second = pool.takeSecond();
    const frames = pool.framesReceived;
    const accepted = input.triggersAccepted();
    const errors = input.errorCount();
    const framesPerSecond = ((frames - this.last.frames) * 1000) / Math.max(1, atMs - this.last.atMs);
    input.timeSeries.sample(
      {
        connections: pool.connected,
        triggers: accepted - this.last.accepted,
        framesPerSecond,
        fanoutP99Ms: second.count > 0 ? second.percentileMs(99) : 0,
        errors: errors - this.last.errors,
      },
      atMs,
    );
    this.last = { atMs, frames, accepted, errors };
    input.chaos?.second(atMs, second, this.orderTotals());
    input.memory.sampleMemory();
    if (final) return;
    input.onSecond?.(atMs, second);
    input.onProgress?.({
      phase: input.timeline.phase,
      elapsedSeconds: (atMs - input.timeline.startedAtMs) / 1000,
      ...input.progressTotals,
      connections: pool.connected,
      triggersAccepted: accepted,
      framesPerSecond,
      fanoutP99Ms: this.runP99(),
      errors,
    });
  }

  private orderTotals() {
    const totals = {
      duplicates: 0,
      outOfOrder: 0,
      refused: this.input.triggersRefused?.() ?? 0,
      ...(this.input.triggerTotals?.() ?? {}),
    };
    for (const pod of this.input.pool.pods.values()) {
      totals.duplicates += pod.duplicates;
      totals.outOfOrder += pod.outOfOrder;
    }
    return totals;
  }

  /** Fan-out p99 over the run so far; undefined before the first frame. */
  private runP99(): number | undefined {
    const merged = new LatencyHistogram();
    for (const pod of this.input.pool.pods.values()) pod.mergeFanoutInto(merged);
    return merged.count > 0 ? merged.percentileMs(99) : undefined;
  }
}
