// The scenarios run by a real k6 against local clusters: a short cross-pod-load passes its thresholds with
// frames == connections × triggers; a pubsub pod killed mid-run costs its clients frames; and k6 and the
// Node engine agree on the counts of the same profile. They run only when K6_BIN names a k6 binary that has
// xk6-redis (k6 v2 with it built in, or any k6 1.x): a k6 that merely sits on PATH is not asked to run, so
// `npm test` passes whatever is installed. Without K6_BIN they skip with a message, even under CI.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCluster, startLocalCluster } from "../../lib/cluster/local-cluster.js";
import { type Profile, resolveProfile } from "../../lib/core/profiles.js";
import { findK6, type K6RunResult, runK6 } from "../../lib/engine/k6-runner.js";
import { runNodeEngine } from "../../lib/engine/run-node-engine.js";
import { skipWithoutRedis } from "../fixtures/redis.js";

const k6Binary = process.env.K6_BIN ? findK6() : undefined;
if (k6Binary === undefined) {
  console.warn(
    "SKIPPING real-k6 tests: K6_BIN is not set to a k6 binary (install k6 with xk6-redis, see the README's k6 section, then K6_BIN=$(command -v k6))",
  );
}
const skip = k6Binary === undefined || skipWithoutRedis;

/** Delivery invariants only: latency thresholds on a shared 2-core machine would judge the machine. */
const invariants = { crosspod_fanout_latency: [] };

function smallProfile(overrides: Partial<Profile> = {}): Profile {
  return resolveProfile("cross-pod-load", {
    connections: 30,
    connectionsPerVu: 10,
    rampSeconds: 1,
    triggerRate: 10,
    durationSeconds: 4,
    drainSeconds: 2,
    thresholds: invariants,
    ...overrides,
  });
}

function k6Run(cluster: LocalCluster, runId: string, profile: Profile): Promise<K6RunResult> {
  return runK6({
    runId,
    profile,
    targets: cluster.pods.map((pod) => pod.httpUrl),
    redisUrl: cluster.redisUrl,
    onOutput: () => {},
  });
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(skip)("k6 against a local cluster of three replicas", () => {
  let cluster: LocalCluster | undefined;

  beforeAll(async () => {
    cluster = await startLocalCluster({ replicas: 3 });
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it("passes a short cross-pod-load with frames == connections × triggers and nothing lost", async () => {
    if (!cluster) throw new Error("the cluster did not start");
    const profile = smallProfile();
    const { report, exitCode, version, bundle } = await k6Run(cluster, "k6-real-short", profile);
    console.log(`k6 ${version.text} ran ${bundle}`);
    const triggers = report.overall.triggers.accepted;
    expect(triggers).toBe(profile.triggerRate * profile.durationSeconds);
    expect(report.overall.delivery).toMatchObject({
      expected: profile.connections * triggers,
      received: profile.connections * triggers,
      lost: 0,
      duplicates: 0,
      outOfOrder: 0,
    });
    expect(report.thresholds.filter((threshold) => !threshold.ok)).toEqual([]);
    expect(report.validity).toEqual({ valid: true, reasons: [] });
    expect(exitCode).toBe(0);
  }, 120_000);

  it("agrees with the Node engine exactly on counts and within noise on the fan-out p50", async () => {
    if (!cluster) throw new Error("the cluster did not start");
    const profile = smallProfile();
    const k6 = (await k6Run(cluster, "k6-real-compare", profile)).report;
    const node = (
      await runNodeEngine({
        runId: "node-real-compare",
        profile,
        targets: cluster.pods.map((pod) => pod.httpUrl),
        thresholds: profile.thresholds,
      })
    ).report;
    const counts = (figures: typeof k6.overall) => ({
      opened: figures.connections.opened,
      accepted: figures.triggers.accepted,
      expected: figures.delivery.expected,
      received: figures.delivery.received,
      lost: figures.delivery.lost,
      duplicates: figures.delivery.duplicates,
      outOfOrder: figures.delivery.outOfOrder,
    });
    expect(counts(k6.overall)).toEqual(counts(node.overall));
    const [k6P50, nodeP50] = [k6.overall.fanout.p50, node.overall.fanout.p50];
    console.log(`fan-out p50: k6 ${k6P50.toFixed(2)} ms, node ${nodeP50.toFixed(2)} ms`);
    expect(Math.abs(k6P50 - nodeP50)).toBeLessThan(Math.max(25, 0.5 * Math.max(k6P50, nodeP50)));
  }, 180_000);
});

describe.skipIf(skip)("k6 against a pubsub cluster whose pod is killed mid-run", () => {
  let cluster: LocalCluster | undefined;
  let redis: Redis | undefined;

  beforeAll(async () => {
    cluster = await startLocalCluster({ replicas: 3, delivery: "pubsub" });
    redis = new Redis(cluster.redisUrl);
  });

  afterAll(async () => {
    await redis?.quit();
    await cluster?.close();
  });

  it("counts the frames published while pod-b was down as missed by its clients", async () => {
    if (!cluster || !redis) throw new Error("the cluster did not start");
    const runId = "k6-real-pubsub-kill";
    const profile = smallProfile({ durationSeconds: 10, triggerPod: "pod-a" });
    const running = k6Run(cluster, runId, profile);
    const published = `crosspod:k6:${runId}:published`;
    const client = redis;
    await waitFor("20 published triggers", 60_000, async () => (await client.llen(published)) >= 20);
    const podB = cluster.pod("pod-b");
    await podB.kill("SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await podB.start();
    const { report } = await running;
    const podFigures = report.pods["pod-b"];
    expect(report.run.delivery).toBe("pubsub");
    expect(podFigures?.connections.reconnects).toBeGreaterThan(0);
    expect(
      (podFigures?.delivery.missedWhileDisconnected ?? 0) + (podFigures?.delivery.lost ?? 0),
    ).toBeGreaterThan(0);
    expect(report.pods["pod-a"]?.delivery).toMatchObject({ lost: 0, missedWhileDisconnected: 0 });
  }, 180_000);
});
