import { describe, expect, it } from "vitest";
import { LatencyHistogram } from "../../../lib/core/latency-histogram.js";
import { TimeSeriesRecorder } from "../../../lib/core/run-recorder.js";
import { RunTimeline } from "../../../lib/engine/phases/run-timeline.js";
import { RunSampler, type SampledPod } from "../../../lib/engine/phases/sample-phase.js";
import type { RunProgress } from "../../../lib/engine/run-progress.js";

function pod(duplicates: number, outOfOrder: number, fanoutMs: number[]): SampledPod {
  return {
    duplicates,
    outOfOrder,
    mergeFanoutInto: (into) => {
      for (const ms of fanoutMs) into.recordMs(ms);
    },
  };
}

describe("RunSampler", () => {
  it("samples counts since the previous point over the real interval, and second-by-second chaos", () => {
    let nowMs = 0;
    const pool = {
      framesReceived: 0,
      connected: 4,
      pods: new Map([
        ["pod-a", pod(1, 0, [5])],
        ["pod-b", pod(2, 3, [7])],
      ]),
      takeSecond: () => {
        const second = new LatencyHistogram();
        second.recordMs(9);
        return second;
      },
    };
    let accepted = 0;
    let errors = 0;
    const timeSeries = new TimeSeriesRecorder(0);
    const chaosSeconds: {
      endMs: number;
      totals: { duplicates: number; outOfOrder: number; refused: number };
    }[] = [];
    let refused = 0;
    const progress: RunProgress[] = [];
    const timeline = new RunTimeline(0, () => nowMs);
    let rssSamples = 0;
    const sampler = new RunSampler({
      timeline,
      nowMs: () => nowMs,
      pool,
      triggersAccepted: () => accepted,
      triggersRefused: () => refused,
      errorCount: () => errors,
      timeSeries,
      chaos: { second: (endMs, _fanout, totals) => chaosSeconds.push({ endMs, totals }) },
      memory: {
        sampleMemory: () => {
          rssSamples += 1;
          return 0;
        },
      },
      progressTotals: { totalSeconds: 10, targetConnections: 4, triggersTotal: 20 },
      onProgress: (snapshot) => progress.push(snapshot),
    });
    timeline.enter("trigger");
    // A loaded generator samples late: 30 frames over 1.5 s are 20 frames/s, not 30.
    nowMs = 1_500;
    pool.framesReceived = 30;
    accepted = 3;
    errors = 1;
    refused = 1;
    sampler.sample();
    nowMs = 2_500;
    pool.framesReceived = 40;
    accepted = 5;
    sampler.sample(true);

    expect(timeSeries.points()).toEqual([
      expect.objectContaining({ t: 1.5, connections: 4, triggers: 3, framesPerSecond: 20, errors: 1 }),
      expect.objectContaining({ t: 2.5, triggers: 2, framesPerSecond: 10, errors: 0 }),
    ]);
    expect(chaosSeconds).toEqual([
      { endMs: 1_500, totals: { duplicates: 3, outOfOrder: 3, refused: 1 } },
      { endMs: 2_500, totals: { duplicates: 3, outOfOrder: 3, refused: 1 } },
    ]);
    expect(rssSamples).toBe(2);
    // The final sample prints no progress.
    expect(progress).toHaveLength(1);
    expect(progress[0]).toMatchObject({
      phase: "trigger",
      elapsedSeconds: 1.5,
      totalSeconds: 10,
      triggersAccepted: 3,
      triggersTotal: 20,
      errors: 1,
    });
    expect(progress[0]?.fanoutP99Ms).toBeGreaterThanOrEqual(5);
  });
});
