import { describe, expect, it } from "vitest";
import { LoadMetrics, type PodCounts } from "../../lib/engine/load-metrics.js";

describe("load-side metrics", () => {
  it("exposes latency histograms in seconds, counters and the connection gauge labelled by run and pod", async () => {
    const counts: PodCounts[] = [
      {
        pod: "pod-a",
        framesReceived: 12,
        lost: 1,
        duplicates: 2,
        outOfOrder: 3,
        reconnects: 4,
        connections: 5,
      },
    ];
    const metrics = new LoadMetrics("run-1", () => counts);
    metrics.fanoutSeries("pod-a").observe(0.002);
    metrics.fanoutSeries("pod-a").observe(0.2);
    metrics.e2eSeries("pod-a").observe(0.004);
    metrics.originFanoutSeries("pod-b", "pod-a").observe(0.03);
    metrics.recordChaosEvent("kill-pod", "pod-b");
    const text = await metrics.registry.metrics();
    expect(text).toContain('crosspod_fanout_latency_seconds_bucket{pod="pod-a",le="0.0025",run="run-1"} 1');
    expect(text).toContain('crosspod_fanout_latency_seconds_bucket{pod="pod-a",le="0.25",run="run-1"} 2');
    expect(text).toContain('crosspod_fanout_latency_seconds_bucket{pod="pod-a",le="+Inf",run="run-1"} 2');
    expect(text).toContain('crosspod_fanout_latency_seconds_count{pod="pod-a",run="run-1"} 2');
    expect(text).toContain('crosspod_e2e_latency_seconds_sum{pod="pod-a",run="run-1"} 0.004');
    expect(text).toContain("# TYPE crosspod_reconnect_time_seconds histogram");
    expect(text).toContain(
      'crosspod_origin_fanout_latency_seconds_bucket{origin="pod-b",pod="pod-a",le="0.025",run="run-1"} 0',
    );
    expect(text).toContain(
      'crosspod_origin_fanout_latency_seconds_bucket{origin="pod-b",pod="pod-a",le="0.05",run="run-1"} 1',
    );
    expect(text).toContain('crosspod_frames_received_total{pod="pod-a",run="run-1"} 12');
    expect(text).toContain('crosspod_lost_total{pod="pod-a",run="run-1"} 1');
    expect(text).toContain('crosspod_duplicates_total{pod="pod-a",run="run-1"} 2');
    expect(text).toContain('crosspod_out_of_order_total{pod="pod-a",run="run-1"} 3');
    expect(text).toContain('crosspod_reconnects_total{pod="pod-a",run="run-1"} 4');
    expect(text).toContain('crosspod_connections{pod="pod-a",run="run-1"} 5');
    expect(text).toContain('crosspod_chaos_events_total{action="kill-pod",target="pod-b",run="run-1"} 1');
  });

  it("reports the live totals of each scrape, not the first one's", async () => {
    const counts: PodCounts = {
      pod: "pod-a",
      framesReceived: 1,
      lost: 0,
      duplicates: 0,
      outOfOrder: 0,
      reconnects: 0,
      connections: 1,
    };
    const metrics = new LoadMetrics("run-2", () => [counts]);
    await metrics.registry.metrics();
    counts.framesReceived = 9;
    expect(await metrics.registry.metrics()).toContain(
      'crosspod_frames_received_total{pod="pod-a",run="run-2"} 9',
    );
  });
});
