// The k6 side of target files: the built cross-pod-load bundle in the emulated k6 (k6's modules over real
// sockets, HTTP and redis-server), given a target file as CROSSPOD_TARGET, measures the seed-style backend
// through the same generic-json adapter as the Node engine and finds exactly the frames it withheld, and
// speaks Socket.IO's framing over k6/websockets to a 3-pod Socket.IO cluster.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPeerCluster } from "../../bench/peers/peer-cluster.js";
import type { RedisServer } from "../../lib/cluster/redis-server.js";
import { parseReport } from "../../lib/core/report-json.js";
import type { Report } from "../../lib/core/report-model.js";
import { parseTargetFile } from "../../lib/core/target-file.js";
import { k6BundleTargets } from "../../lib/engine/k6-bundle-targets.js";
import { buildK6Target } from "../../scripts/k6-bundles.js";
import { skipWithoutRedis, startRedis } from "../fixtures/redis.js";
import { emulateK6Run } from "../scenarios/k6-emulated-run.js";
import { type SeedStyleBackend, startSeedStyleBackend } from "./support/seed-style-backend.js";
import { socketIoPeerTargetFile } from "./support/socketio-peer-target.js";

describe.skipIf(skipWithoutRedis)("a target file in the k6 scenarios", () => {
  let workDir: string;
  let bundleFile: string;
  let redis: RedisServer;
  let backend: SeedStyleBackend | undefined;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), "crosspod-k6-target-"));
    const defaultTarget = k6BundleTargets.find((target) => target.dir === "v2");
    if (!defaultTarget) throw new Error("no default k6 bundle target");
    expect((await buildK6Target(defaultTarget, workDir)).errors).toEqual([]);
    bundleFile = join(workDir, "k6", "v2", "cross-pod-load.js");
    redis = await startRedis();
  }, 60_000);

  /**
   * Runs the bundle against `target` (12 connections, 10 triggers/s for 2 s) and parses its report. The file
   * is validated first, as `crosspod run --target` does before k6 starts.
   */
  async function runK6(target: unknown, reportName: string): Promise<Report> {
    const reportPath = join(workDir, reportName);
    const result = await emulateK6Run(bundleFile, {
      CROSSPOD_TARGET: JSON.stringify(parseTargetFile(target)),
      REDIS_URL: redis.url,
      CROSSPOD_OUT: reportPath,
      CROSSPOD_HTML: "",
      CROSSPOD_CONNECTIONS: "12",
      CROSSPOD_CONNECTIONS_PER_VU: "4",
      CROSSPOD_RATE: "10",
      CROSSPOD_DURATION: "2",
      CROSSPOD_RAMP: "0.5",
      CROSSPOD_DRAIN: "2",
      // Delivery invariants only: one emulated k6 shares a thread (and a busy machine) with its sockets.
      CROSSPOD_THRESHOLDS: JSON.stringify({ crosspod_fanout_latency: [] }),
    });
    const json = result.files[reportPath];
    if (json === undefined) throw new Error(`handleSummary wrote no report: ${Object.keys(result.files)}`);
    return parseReport(json, reportPath);
  }

  afterAll(async () => {
    await backend?.close();
    await redis?.dispose();
    await rm(workDir, { recursive: true, force: true });
  });

  it("measures a seed-style backend with the generic-json adapter and counts the withheld frames as lost", async () => {
    backend = await startSeedStyleBackend({
      redisUrl: redis.url,
      pods: 3,
      // Setup's discovery is each pod's first connection; the next on soc-b is the run's first there.
      // Every probe from the third on is withheld, so each publisher's last one is too: the drain then
      // waits its full time, and no withheld frame falls within the checker's grace of a connect or close.
      drop: { pod: "soc-b", connectionIndex: 1, withhold: (n) => n >= 3 },
    });
    const target = {
      adapter: "generic-json",
      pods: backend.pods.map((pod) => ({ name: pod.name, url: pod.httpUrl, ws: pod.wsUrl })),
      trigger: { path: "/api/threats/trigger", body: { description: "crosspod {{probe}}" }, accept: [200] },
      frames: {
        hello: { path: "type", equals: "connected" },
        delivery: [{ path: "type", equals: "new_threat" }],
        ignore: [{ path: "type", equals: "heartbeat" }],
        id: "data.id",
        publishedAt: { path: "data.timestamp", unit: "iso" },
        probe: "data.description",
        origin: "data.source_pod",
      },
    };
    const report = await runK6(target, "seed.json");
    const context = JSON.stringify({
      delivery: report.overall.delivery,
      events: report.events,
      dropped: backend.dropped,
    });
    expect(report.run).toMatchObject({
      engine: "k6",
      accounting: "publisher",
      settings: { adapter: "generic-json" },
    });
    expect(Object.keys(report.pods).sort()).toEqual(["soc-a", "soc-b", "soc-c"]);
    const accepted = report.overall.triggers.accepted;
    expect(accepted, context).toBe(20);
    expect(backend.dropped.length, context).toBeGreaterThan(0);
    expect(report.overall.delivery, context).toMatchObject({
      expected: 12 * accepted,
      received: 12 * accepted - backend.dropped.length,
      lost: backend.dropped.length,
      duplicates: 0,
    });
    expect(report.pods["soc-b"]?.delivery.lost).toBe(backend.dropped.length);
    expect(report.overall.fanout.count).toBe(12 * accepted - backend.dropped.length);
  }, 90_000);

  it("speaks Socket.IO over k6/websockets: cross-pod delivery to a 3-pod cluster, judged per publisher", async () => {
    const cluster = await startPeerCluster({ kind: "socketio", pods: 3, adapter: "pubsub" });
    try {
      const report = await runK6(socketIoPeerTargetFile(cluster.pods), "socketio.json");
      const context = JSON.stringify({ delivery: report.overall.delivery, events: report.events });
      expect(report.run).toMatchObject({
        engine: "k6",
        accounting: "publisher",
        settings: { adapter: "socketio" },
      });
      const accepted = report.overall.triggers.accepted;
      expect(accepted, context).toBe(20);
      expect(report.overall.delivery, context).toMatchObject({
        expected: 12 * accepted,
        received: 12 * accepted,
        lost: 0,
        duplicates: 0,
      });
      expect(report.matrix, context).toHaveLength(9);
    } finally {
      await cluster.close();
    }
  }, 90_000);
});
