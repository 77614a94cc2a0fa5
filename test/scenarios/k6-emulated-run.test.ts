// The built cross-pod-load bundle, run through k6's lifecycle with k6's modules emulated over real
// WebSockets, HTTP and redis-server (k6 itself is not needed): against three real backend replicas, and
// against a scripted pod that misdelivers on purpose. Each VU gets a realm with no Node globals, so this
// also proves lib/core and the report renderers run where k6 runs them. Real-k6 runs: k6-real-run.test.ts.
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCluster, startLocalCluster } from "../../lib/cluster/local-cluster.js";
import { type OtlpReceiver, startOtlpReceiver } from "../../lib/cluster/otlp-receiver.js";
import type { RedisServer } from "../../lib/cluster/redis-server.js";
import { parseReport } from "../../lib/core/report-json.js";
import type { Report } from "../../lib/core/report-model.js";
import { k6BundleTargets } from "../../lib/engine/k6-bundle-targets.js";
import { buildK6Target } from "../../scripts/k6-bundles.js";
import { skipWithoutRedis, startRedis } from "../fixtures/redis.js";
import { waitFor } from "../fixtures/wait-for.js";
import { type EmulatedRunResult, emulateK6Run } from "./k6-emulated-run.js";

let workDir: string;
let bundleFile: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "crosspod-k6-emulated-"));
  const defaultTarget = k6BundleTargets.find((target) => target.dir === "v2");
  if (!defaultTarget) throw new Error("no default k6 bundle target");
  const built = await buildK6Target(defaultTarget, workDir);
  expect(built.errors).toEqual([]);
  bundleFile = join(workDir, "k6", "v2", "cross-pod-load.js");
}, 60_000);

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** Runs the bundle and returns what handleSummary returned, with the JSON report parsed. */
async function run(
  name: string,
  env: Record<string, string>,
): Promise<{ result: EmulatedRunResult; report: Report }> {
  const reportPath = join(workDir, `${name}.json`);
  const result = await emulateK6Run(bundleFile, { CROSSPOD_OUT: reportPath, ...env });
  const json = result.files[reportPath];
  if (json === undefined)
    throw new Error(`handleSummary wrote no ${reportPath}: ${Object.keys(result.files)}`);
  return { result, report: parseReport(json, reportPath) };
}

/** Printed beside a failed delivery figure: the run's events and validity say where the run went wrong. */
function runContext(report: Report): string {
  return `events ${JSON.stringify(report.events)}; validity ${JSON.stringify(report.validity)}`;
}

describe.skipIf(skipWithoutRedis)(
  "the cross-pod-load bundle in an emulated k6 against three replicas",
  () => {
    const connections = 12;
    const triggerRate = 10;
    const durationSeconds = 2;
    let cluster: LocalCluster | undefined;
    let receiver: OtlpReceiver | undefined;
    let result: EmulatedRunResult;
    let report: Report;

    beforeAll(async () => {
      // The pods trace and export to a receiver here; the scenario sends a traceparent on each trigger.
      receiver = await startOtlpReceiver();
      const otlp = {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.baseUrl,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_BSP_SCHEDULE_DELAY: "100",
      };
      cluster = await startLocalCluster({ replicas: 3, env: otlp });
      ({ result, report } = await run("cluster", {
        ...otlp,
        TARGETS: cluster.pods.map((pod) => pod.httpUrl).join(","),
        REDIS_URL: cluster.redisUrl,
        CROSSPOD_HTML: join(workDir, "cluster.html"),
        CROSSPOD_CONNECTIONS: String(connections),
        CROSSPOD_CONNECTIONS_PER_VU: "4",
        CROSSPOD_RATE: String(triggerRate),
        CROSSPOD_DURATION: String(durationSeconds),
        CROSSPOD_RAMP: "0.5",
        CROSSPOD_DRAIN: "1",
        // Delivery invariants only: one emulated k6 shares a thread (and a busy machine) with its sockets.
        CROSSPOD_THRESHOLDS: JSON.stringify({ crosspod_fanout_latency: [] }),
      }));
    }, 90_000);

    afterAll(async () => {
      await cluster?.close();
      await receiver?.close();
    });

    it("sends a sampled traceparent on each trigger, which the pods continue to one delivery span per pod", async () => {
      const httpSpans = () =>
        (receiver?.spans ?? []).filter((span) => span.name === "POST /api/threats/trigger");
      const triggers = triggerRate * durationSeconds;
      const spans = await waitFor(
        () => httpSpans().length >= triggers && httpSpans(),
        "the pods' HTTP spans of every trigger",
      );
      const local = new Set(receiver?.spans.map((span) => span.spanId));
      for (const span of spans) {
        // The parent is k6's traceparent: a span no pod exported.
        expect(span.parentSpanId).toMatch(/^[0-9a-f]{16}$/);
        expect(local.has(span.parentSpanId as string)).toBe(false);
      }
      const traced = spans[0]?.traceId;
      await waitFor(
        () =>
          (receiver?.spans ?? []).filter((span) => span.traceId === traced && span.name === "deliver threat")
            .length === 3,
        "a delivery span from each of the 3 pods in a k6-started trace",
      );
    });

    it("keeps the bundle free of OpenTelemetry: k6 mints its traceparent with lib/core", async () => {
      expect(await readFile(bundleFile, "utf8")).not.toMatch(/opentelemetry/i);
    });

    it("delivers every accepted trigger to every connection exactly once, in order", () => {
      const accepted = report.overall.triggers.accepted;
      expect(accepted, runContext(report)).toBe(triggerRate * durationSeconds);
      expect(report.overall.triggers.failed).toBe(0);
      expect(report.overall.connections.opened).toBe(connections);
      expect(report.overall.delivery, runContext(report)).toMatchObject({
        expected: connections * accepted,
        received: connections * accepted,
        lost: 0,
        duplicates: 0,
        outOfOrder: 0,
      });
      expect(report.validity).toEqual({ valid: true, reasons: [] });
    });

    it("writes the same report document as the Node engine, with every pod, the matrix and a time series", () => {
      expect(report.run).toMatchObject({
        engine: "k6",
        profile: "cross-pod-load",
        delivery: "recover",
        accounting: "seq",
      });
      expect(Object.keys(report.pods).sort()).toEqual(["pod-a", "pod-b", "pod-c"]);
      expect(report.matrix).toHaveLength(9);
      expect(report.timeSeries.length).toBeGreaterThan(2);
      expect(Math.max(...report.timeSeries.map((point) => point.connections))).toBe(connections);
      expect(
        report.timeSeries.reduce((sum, point) => sum + point.triggers, 0),
        runContext(report),
      ).toBe(report.overall.triggers.accepted);
      expect(report.thresholds.map((threshold) => threshold.metric).sort()).toEqual([
        "crosspod_duplicates",
        "crosspod_lost",
        "crosspod_out_of_order",
      ]);
      expect(report.thresholds.filter((threshold) => !threshold.ok)).toEqual([]);
      expect(report.events.map((event) => event.name)).toEqual(
        expect.arrayContaining(["ramp", "trigger", "drain", "finish", "redis-oracle"]),
      );
    });

    it("reports the same counts through k6's custom metrics, tagged by pod", () => {
      const frames = report.overall.delivery.received;
      expect(result.sink.total("crosspod_frames_received")).toBe(frames);
      expect(result.sink.samples("crosspod_fanout_latency")).toHaveLength(frames);
      expect(result.sink.total("crosspod_lost")).toBe(0);
      const pods = ["pod-a", "pod-b", "pod-c"];
      expect(
        pods.map((pod) => result.sink.total("crosspod_frames_received", { name: "pod", value: pod })),
      ).toEqual(pods.map((pod) => report.pods[pod]?.delivery.received));
      // The gauge k6's summary shows (its last sample) is the run's connections, not one pod's.
      const gauge = result.sink.export().find((series) => series.name === "crosspod_connections");
      const totals = gauge?.values.filter((_, index) => gauge.tags[index]?.pod === undefined) ?? [];
      expect(Math.max(...totals)).toBe(connections);
    });

    it("returns the HTML report and stdout with k6's figures, its thresholds and crosspod's summary", () => {
      expect(result.files[join(workDir, "cluster.html")]).toMatch(/^<!doctype html>/i);
      const stdout = result.files.stdout ?? "";
      expect(stdout).toContain("k6 summary");
      expect(stdout).toContain("✓ 'count==0'");
      expect(stdout).toContain("crosspod_frames_received");
      expect(stdout).toMatch(/^PASS · /m);
    });

    it("needs no module k6 lacks: only hdr-histogram-js's guarded probe for zlib reaches require", () => {
      expect(result.missingModules.filter((name) => name !== "zlib")).toEqual([]);
      expect(result.droppedIterations).toBe(0);
    });
  },
);

describe.skipIf(skipWithoutRedis)(
  "the cross-pod-load bundle in an emulated k6 against a pod that misdelivers",
  () => {
    const connections = 4;
    let redis: RedisServer | undefined;
    let pod: Worker | undefined;
    let result: EmulatedRunResult;
    let report: Report;

    beforeAll(async () => {
      redis = await startRedis();
      pod = new Worker(new URL("./k6-scripted-pod.mjs", import.meta.url));
      const [{ port }] = (await once(pod, "message")) as [{ port: number }];
      ({ result, report } = await run("scripted", {
        TARGETS: `http://127.0.0.1:${port}`,
        REDIS_URL: redis.url,
        CROSSPOD_HTML: "",
        CROSSPOD_CONNECTIONS: String(connections),
        CROSSPOD_CONNECTIONS_PER_VU: "2",
        CROSSPOD_RATE: "10",
        CROSSPOD_DURATION: "1",
        CROSSPOD_RAMP: "0.2",
        CROSSPOD_DRAIN: "1",
        // The injected faults must fail the delivery thresholds, and only those: on a busy machine the
        // latency threshold would fail too, for reasons this test is not about.
        CROSSPOD_THRESHOLDS: JSON.stringify({ crosspod_fanout_latency: [] }),
      }));
    }, 90_000);

    afterAll(async () => {
      await pod?.terminate();
      await redis?.dispose();
    });

    it("reports exactly the injected gap, duplicate and swap on every connection", () => {
      expect(report.overall.triggers.accepted).toBe(10);
      expect(report.overall.delivery, runContext(report)).toMatchObject({
        expected: connections * 10,
        received: connections * 9,
        lost: connections,
        duplicates: connections,
        outOfOrder: connections,
      });
      expect(report.overall.delivery.lostSamples).toContain("3");
    });

    it("holds every connection until the last trigger, answered late, settled: it is expected and received", () => {
      expect(report.overall.triggers.accepted).toBe(10);
      expect(report.overall.delivery.expected, runContext(report)).toBe(connections * 10);
      expect([...new Set(report.overall.delivery.lostSamples)]).toEqual(["3"]);
      expect(report.events.map((event) => event.name)).not.toContain("publishing-unsettled");
    });

    it("reports them through k6's counters too, so k6's own thresholds fail the run", () => {
      expect(result.sink.total("crosspod_lost"), runContext(report)).toBe(connections);
      expect(result.sink.total("crosspod_duplicates")).toBe(connections);
      expect(result.sink.total("crosspod_out_of_order")).toBe(connections);
      expect(result.files.stdout).toContain("✗ 'count==0'");
      const failed = report.thresholds
        .filter((threshold) => !threshold.ok)
        .map((threshold) => threshold.metric);
      expect(failed.sort()).toEqual(["crosspod_duplicates", "crosspod_lost", "crosspod_out_of_order"]);
    });
  },
);
