// registerRunMetrics exposes the run's live trigger, delivery and generator state in Prometheus text, read
// at scrape time, so each scrape shows the figures as they are then.
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { defaultSaturationLimits, type GeneratorFigures } from "../../lib/engine/generator-health.js";
import { PodState } from "../../lib/engine/pod-state.js";
import { registerRunMetrics } from "../../lib/engine/run-metrics.js";

function figures(overrides: Partial<GeneratorFigures> = {}): GeneratorFigures {
  return {
    cpuFraction: 0.2,
    eventLoopLagP99Ms: 4,
    eventLoopLagMaxMs: 9,
    rssBytes: 1,
    peakRssBytes: 1,
    ...overrides,
  };
}

function setUp() {
  const registry = new Registry();
  const podA = new PodState("pod-a", undefined);
  const podB = new PodState("pod-b", undefined);
  const publisher = { lateStarts: 0, sent: 0 };
  let generator = figures();
  registerRunMetrics(registry, {
    pods: () => [podA, podB],
    publisher,
    health: { figures: () => generator },
    limits: defaultSaturationLimits,
  });
  return { registry, podA, podB, publisher, setGenerator: (next: GeneratorFigures) => (generator = next) };
}

describe("registerRunMetrics", () => {
  it("counts triggers per pod and outcome, and late starts, as they stand at each scrape", async () => {
    const { registry, podA, podB, publisher } = setUp();
    podA.recorder.triggers.accepted = 7;
    podA.recorder.triggers.failed = 1;
    podB.recorder.triggers.accepted = 5;
    publisher.lateStarts = 2;
    publisher.sent = 13;
    const text = await registry.metrics();
    expect(text).toContain('crosspod_triggers_total{pod="pod-a",outcome="accepted"} 7');
    expect(text).toContain('crosspod_triggers_total{pod="pod-a",outcome="failed"} 1');
    expect(text).toContain('crosspod_triggers_total{pod="pod-b",outcome="accepted"} 5');
    expect(text).toContain("crosspod_trigger_late_starts_total 2");
    podA.recorder.triggers.accepted = 9;
    expect(await registry.metrics()).toContain('crosspod_triggers_total{pod="pod-a",outcome="accepted"} 9');
  });

  it("exports missed, recovered and frames per origin and delivering pod", async () => {
    const { registry, podA, podB } = setUp();
    podB.recorder.delivery.missedWhileDisconnected = 3;
    podB.recorder.delivery.recovered = 40;
    podA.cellFrom("pod-b").received = 11;
    podB.cellFrom("pod-b").received = 12;
    const text = await registry.metrics();
    expect(text).toContain('crosspod_missed_total{pod="pod-b"} 3');
    expect(text).toContain('crosspod_recovered_total{pod="pod-b"} 40');
    expect(text).toContain('crosspod_missed_total{pod="pod-a"} 0');
    expect(text).toContain('crosspod_origin_frames_received_total{origin="pod-b",pod="pod-a"} 11');
    expect(text).toContain('crosspod_origin_frames_received_total{origin="pod-b",pod="pod-b"} 12');
  });

  it("reports the generator's lag and whether the run is valid so far, by the report's own rules", async () => {
    const { registry, setGenerator, publisher } = setUp();
    let text = await registry.metrics();
    expect(text).toContain("crosspod_generator_event_loop_lag_p99_seconds 0.004");
    expect(text).toContain("crosspod_run_valid 1");
    expect(text).toMatch(/crosspod_generator_cpu_seconds_total \d/);
    setGenerator(figures({ eventLoopLagP99Ms: 50 }));
    text = await registry.metrics();
    expect(text).toContain("crosspod_run_valid 0");
    setGenerator(figures());
    publisher.sent = 10;
    publisher.lateStarts = 5;
    expect(await registry.metrics()).toContain("crosspod_run_valid 0");
  });
});
