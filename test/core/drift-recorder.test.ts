import { describe, expect, it } from "vitest";
import { defaultDriftSettings } from "../../lib/core/drift-figures.js";
import { DriftRecorder } from "../../lib/core/drift-recorder.js";
import { LatencyHistogram } from "../../lib/core/latency-histogram.js";

const mebibyte = 2 ** 20;
const settings = { warmupSeconds: 60, windowSeconds: 30, sampleIntervalSeconds: 5 };

function second(latencyMs: number): LatencyHistogram {
  const histogram = new LatencyHistogram();
  for (let i = 0; i < 50; i++) histogram.recordMs(latencyMs);
  return histogram;
}

describe("DriftRecorder", () => {
  it("gives per-hour slopes over the steady phase only, ignoring the warm-up's growth", () => {
    const recorder = new DriftRecorder(settings, 10);
    for (let t = 10; t <= 370; t += 5) {
      // Warm-up: +1 MiB per second; steady: +6 MiB per hour.
      const rssMiB = t < 70 ? 100 + (t - 10) : 160 + ((t - 70) * 6) / 3600;
      recorder.podSample("pod-a", t, {
        rssBytes: rssMiB * mebibyte,
        heapUsedBytes: 40 * mebibyte,
        eventLoopLagSeconds: 0.002,
        connections: 100,
      });
    }
    recorder.stop(370);
    const drift = recorder.figures();
    const pod = drift.pods["pod-a"];
    expect(pod?.rssMiBPerHour).toBeCloseTo(6, 6);
    expect(pod?.heapMiBPerHour).toBeCloseTo(0, 9);
    expect(pod?.connectionsPerHour).toBeCloseTo(0, 9);
    expect(pod?.last).toEqual({
      rssMiB: 160 + (300 * 6) / 3600,
      heapMiB: 40,
      eventLoopLagMs: 2,
      connections: 100,
    });
    expect(pod?.samples).toBe(73);
    expect(drift.steady).toEqual({ from: 70, to: 370 });
  });

  it("judges nothing sampled after stop (the drain and teardown)", () => {
    const recorder = new DriftRecorder(settings, 0);
    for (let t = 60; t <= 120; t += 5) recorder.podSample("pod-a", t, { rssBytes: 100 * mebibyte });
    recorder.stop(120);
    recorder.podSample("pod-a", 125, { rssBytes: 900 * mebibyte });
    expect(recorder.figures().pods["pod-a"]?.rssMiBPerHour).toBeCloseTo(0, 9);
  });

  it("has null slopes when the run ended inside its warm-up", () => {
    const recorder = new DriftRecorder(settings, 0);
    recorder.podSample("pod-a", 10, { rssBytes: mebibyte });
    recorder.podSample("pod-a", 20, { rssBytes: 2 * mebibyte });
    recorder.stop(30);
    const drift = recorder.figures();
    expect(drift.steady).toBeNull();
    expect(drift.pods["pod-a"]?.rssMiBPerHour).toBeNull();
  });

  it("reports Redis slopes, fan-out windows with their drift ratio, and failed samples", () => {
    const recorder = new DriftRecorder(settings, 0);
    for (let t = 1; t <= 180; t++) {
      recorder.fanoutSecond(t, second(t <= 60 ? 40 : t <= 90 ? 10 : 12));
      if (t % 5 === 0)
        recorder.redisSample(t, { usedMemoryBytes: (2 + t / 3600) * mebibyte, streamLength: 10 * t });
    }
    recorder.sampleFailed();
    recorder.stop(180);
    const drift = recorder.figures();
    expect(drift.redis?.memoryMiBPerHour).toBeCloseTo(1, 6);
    expect(drift.redis?.streamLengthPerHour).toBeCloseTo(36_000, 3);
    expect(drift.fanoutWindows.map((w) => w.t)).toEqual([0, 30, 60, 90, 120]);
    expect(drift.fanoutP99Drift).toBeCloseTo(1.2, 2);
    expect(drift.sampleErrors).toBe(1);
  });
});

describe("defaultDriftSettings", () => {
  it("gives a 10-minute soak a 2-minute warm-up, 1-minute windows and a sample every 5 s", () => {
    expect(defaultDriftSettings(600)).toEqual({
      warmupSeconds: 120,
      windowSeconds: 60,
      sampleIntervalSeconds: 5,
    });
  });

  it("caps the warm-up, the windows and the sample interval for day-long soaks", () => {
    expect(defaultDriftSettings(86_400)).toEqual({
      warmupSeconds: 600,
      windowSeconds: 300,
      sampleIntervalSeconds: 15,
    });
  });
});
