// GET /metrics: every backend metric named in lib/core/metric-names.ts, default process metrics
// (event-loop lag included), the pod label on every series, and counts that follow what happened.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisServer } from "../../lib/cluster/redis-server.js";
import { backendMetrics } from "../../lib/core/metric-names.js";
import { skipWithoutRedis, startRedis } from "../fixtures/redis.js";
import { TestClient } from "../fixtures/ws-client.js";
import { type Pod, startPod, stopPods, triggerAccepted } from "./support/backend-pods.js";

describe.skipIf(skipWithoutRedis)("backend metrics", () => {
  let redis: RedisServer | undefined;
  let pod: Pod | undefined;
  let client: TestClient | undefined;

  beforeAll(async () => {
    redis = await startRedis();
    pod = await startPod("metered-pod", redis.url);
    client = await TestClient.connect(pod.ws);
  });

  afterAll(async () => {
    await client?.close();
    await stopPods([pod]);
    await redis?.dispose();
  });

  async function scrape(): Promise<{ contentType: string | null; text: string }> {
    const res = await fetch(`${pod?.http}/metrics`);
    return { contentType: res.headers.get("content-type"), text: await res.text() };
  }

  it("exposes every backend metric name, process metrics and event-loop lag, all labelled with the pod", async () => {
    const { contentType, text } = await scrape();
    // OpenMetrics, for the fan-out histogram's exemplars; it names a counter's family without _total.
    expect(contentType).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    expect(text.endsWith("# EOF\n")).toBe(true);
    const family = (name: string) => name.replace(/_total$/, "");
    for (const name of Object.values(backendMetrics)) expect(text).toContain(`# TYPE ${family(name)} `);
    for (const name of [
      "process_cpu_seconds",
      "process_resident_memory_bytes",
      "nodejs_eventloop_lag_seconds",
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    const series = text.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
    expect(series.length).toBeGreaterThan(20);
    for (const line of series) expect(line).toMatch(/pod="metered-pod"/);
  });

  it("counts a publish, its receipt from Redis, its delivery and its fan-out latency, and reports Redis up", async () => {
    if (!pod || !client) throw new Error("setup failed");
    await triggerAccepted(pod);
    await client.waitForThreats(1);
    const { text } = await scrape();
    const value = (series: string) => {
      const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
      return Number(line?.slice(series.length + 1));
    };
    expect(value('crosspod_backend_ws_connections{pod="metered-pod"}')).toBe(1);
    expect(value('crosspod_backend_published_total{pod="metered-pod"}')).toBe(1);
    expect(value('crosspod_backend_redis_received_total{pod="metered-pod"}')).toBe(1);
    expect(value('crosspod_backend_delivered_total{pod="metered-pod"}')).toBe(1);
    expect(value('crosspod_backend_fanout_seconds_count{pod="metered-pod"}')).toBe(1);
    expect(value('crosspod_backend_fanout_seconds_bucket{le="+Inf",pod="metered-pod"}')).toBe(1);
    expect(value('crosspod_backend_redis_up{pod="metered-pod"}')).toBe(1);
    expect(value('crosspod_backend_backfilled_total{reason="gap",pod="metered-pod"}')).toBe(0);
  });
});
