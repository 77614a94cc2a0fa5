import { describe, expect, it } from "vitest";
import { LoadMetrics } from "../../lib/engine/load-metrics.js";

describe("chaos series on the engine's /metrics", () => {
  it("counts each action per target and keeps the unix time of the latest one for annotations", async () => {
    const metrics = new LoadMetrics("run-1", () => []);
    metrics.recordChaosEvent("kill-pod", "pod-b", 1_700_000_000_000);
    metrics.recordChaosEvent("kill-pod", "pod-b", 1_700_000_012_500);
    metrics.recordChaosEvent("latency", "redis@pod-a", 1_700_000_005_000);
    const text = await metrics.registry.metrics();
    expect(text).toContain('crosspod_chaos_events_total{action="kill-pod",target="pod-b",run="run-1"} 2');
    expect(text).toContain(
      'crosspod_chaos_event_timestamp_seconds{action="kill-pod",target="pod-b",run="run-1"} 1700000012.5',
    );
    expect(text).toContain(
      'crosspod_chaos_event_timestamp_seconds{action="latency",target="redis@pod-a",run="run-1"} 1700000005',
    );
  });
});
