// Exemplars, end to end with a real Prometheus 2.42 (exemplar storage on, scraping OpenMetrics): the
// backend's and the load side's fan-out histograms carry trace ids of traced frames, and every trace id
// /api/v1/query_exemplars returns is a trace whose spans the OTLP receiver got (the pod's delivery span
// for the backend's histogram, the engine's receive span for the load side's).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../lib/cluster/free-port.js";
import { type LocalCluster, startLocalCluster } from "../../lib/cluster/local-cluster.js";
import { type OtlpReceiver, startOtlpReceiver } from "../../lib/cluster/otlp-receiver.js";
import { backendScrapeTarget, scrapeJobs } from "../../lib/cluster/prometheus-config.js";
import {
  findPrometheus,
  type PrometheusServer,
  startPrometheus,
} from "../../lib/cluster/prometheus-server.js";
import { runNodeEngine } from "../../lib/engine/run-node-engine.js";
import { engineTracer } from "../fixtures/engine-tracer.js";
import { skipWithoutRedis } from "../fixtures/redis.js";
import { waitFor } from "../fixtures/wait-for.js";

interface ExemplarSeries {
  seriesLabels: Record<string, string>;
  exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
}

const skip = skipWithoutRedis || (!findPrometheus() && process.env.CI !== "true");
if (!findPrometheus())
  console.warn("SKIPPING exemplar tests: prometheus not found (apt-get install prometheus)");

describe.skipIf(skip)("fan-out exemplars in Prometheus", () => {
  let receiver: OtlpReceiver | undefined;
  let cluster: LocalCluster | undefined;
  let prometheus: PrometheusServer | undefined;
  let metricsPort = 0;
  const startedAtSeconds = Date.now() / 1000;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    cluster = await startLocalCluster({
      replicas: 2,
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.baseUrl,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_BSP_SCHEDULE_DELAY: "100",
      },
    });
    metricsPort = await freePort();
    prometheus = await startPrometheus({
      scrapeTargets: [
        { job: scrapeJobs.engine, targets: [`http://127.0.0.1:${metricsPort}/metrics`] },
        backendScrapeTarget(cluster.pods.map((pod) => ({ name: pod.name, httpUrl: pod.httpUrl }))),
      ],
      ruleFiles: [],
    });
  });

  afterAll(async () => {
    await prometheus?.close();
    await cluster?.close();
    await receiver?.close();
  });

  async function exemplars(metric: string): Promise<ExemplarSeries[]> {
    const query = new URLSearchParams({
      query: metric,
      start: String(startedAtSeconds - 60),
      end: String(Date.now() / 1000 + 60),
    });
    const response = await fetch(`${prometheus?.url}/api/v1/query_exemplars?${query}`);
    const body = (await response.json()) as { status: string; data: ExemplarSeries[] };
    expect(body.status).toBe("success");
    return body.data.filter((series) => series.exemplars.length > 0);
  }

  it("returns trace ids of received traces for the backend's and the load side's fan-out histograms", async () => {
    if (!cluster || !receiver || !prometheus) throw new Error("setup failed");
    const tracer = await engineTracer(receiver);
    let loadSide: ExemplarSeries[] = [];
    await runNodeEngine({
      runId: "exemplars-1",
      profile: {
        name: "exemplars",
        connections: 4,
        rampSeconds: 0,
        triggerRate: 5,
        durationSeconds: 2,
        drainSeconds: 5,
        triggerPod: "round-robin",
        connectionsPerVu: 50,
        thresholds: {},
      },
      targets: cluster.pods.map((pod) => pod.httpUrl),
      thresholds: {},
      metricsPort,
      tracer,
      // The engine's /metrics lives only as long as the run: read its exemplars back before it closes.
      beforeMetricsClose: async () => {
        loadSide = await waitFor(
          async () => {
            const found = await exemplars("crosspod_fanout_latency_seconds_bucket");
            return found.length > 0 && found;
          },
          "load-side fan-out exemplars in Prometheus",
          15_000,
          250,
        );
      },
    });
    await tracer.shutdown();
    const backend = await waitFor(
      async () => {
        const found = await exemplars("crosspod_backend_fanout_seconds_bucket");
        return new Set(found.map((series) => series.seriesLabels.pod)).size === 2 && found;
      },
      "the fan-out exemplars of both pods in Prometheus",
      15_000,
      250,
    );

    const traceIds = (series: ExemplarSeries[]) =>
      series.flatMap((s) => s.exemplars.map((exemplar) => exemplar.labels.trace_id as string));
    const spansNamed = (name: string) => receiver?.spans.filter((span) => span.name === name) ?? [];
    await waitFor(
      () =>
        traceIds(backend).every((id) => spansNamed("deliver threat").some((span) => span.traceId === id)) &&
        traceIds(loadSide).every((id) => spansNamed("receive threat").some((span) => span.traceId === id)),
      "the exemplars' traces among the received spans",
      10_000,
    );
    for (const series of backend) {
      for (const exemplar of series.exemplars) {
        const delivery = spansNamed("deliver threat").find(
          (span) =>
            span.traceId === exemplar.labels.trace_id &&
            span.resource["service.instance.id"] === series.seriesLabels.pod,
        );
        expect(delivery, JSON.stringify({ series: series.seriesLabels, exemplar })).toBeDefined();
      }
    }
    expect(traceIds(loadSide).length).toBeGreaterThan(0);
    for (const id of traceIds(loadSide)) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });
});
