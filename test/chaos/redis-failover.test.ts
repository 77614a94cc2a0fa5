import { afterEach, describe, expect, it } from "vitest";
import { type ChaosCluster, startChaosCluster } from "../../lib/chaos/chaos-cluster.js";
import { resolveProfile } from "../../lib/core/profiles.js";
import type { Report } from "../../lib/core/report-model.js";
import { runNodeEngine } from "../../lib/engine/run-node-engine.js";
import { skipWithoutRedis } from "../fixtures/redis.js";
import { describeRun } from "./support/chaos-run.js";
import { killPrimaryInWindow, podsAcknowledged, survivingEntries, timeline } from "./support/redis-ha.js";

const profile = resolveProfile("cross-pod-load", {
  connections: 30,
  rampSeconds: 1,
  triggerRate: 20,
  durationSeconds: 7,
  drainSeconds: 5,
});

async function run(chaos: ChaosCluster, schedule: ReturnType<typeof timeline>): Promise<Report> {
  const { report } = await runNodeEngine({
    runId: `redis-ha-${Date.now()}`,
    profile,
    targets: chaos.targetUrls,
    thresholds: { crosspod_acknowledged_lost: ["count==0"] },
    chaos: schedule,
    // Two shared cores: timing validity is not what these tests judge.
    saturationLimits: { cpuFraction: 1, eventLoopLagP99Ms: 10_000, lateStartFraction: 1 },
  });
  return report;
}

function redisImpact(report: Report) {
  const redis = report.chaos[0]?.redis;
  if (!redis) throw new Error(`no Redis impact in the chaos section:${describeRun(report)}`);
  return redis;
}

describe.skipIf(skipWithoutRedis)("Redis Sentinel failover under load", () => {
  let chaos: ChaosCluster | undefined;

  afterEach(async () => {
    await chaos?.close();
    chaos = undefined;
  });

  it("reports as lost exactly the acknowledged triggers a killed primary never replicated", async () => {
    chaos = await startChaosCluster({ replicas: 2, delivery: "recover", redisMode: "sentinel" });
    const cluster = chaos;
    const report = await run(
      cluster,
      timeline(cluster, 2, () => killPrimaryInWindow(cluster, 600)),
    );

    // Independent of the engine: what the pods answered 202, minus what the new primary's history holds.
    const acknowledged = await podsAcknowledged(cluster);
    const survived = await survivingEntries(cluster);
    const redis = redisImpact(report);
    expect(report.overall.triggers.accepted).toBe(acknowledged);
    expect(redis.acknowledgedLost, describeRun(report)).toBe(acknowledged - survived);
    // 0.6 s of triggers at 20/s went to the primary alone.
    expect(redis.acknowledgedLost).toBeGreaterThan(3);
    expect(redis.toPrimary).not.toBe(redis.fromPrimary);
    expect(redis.noPrimaryMs).toBeGreaterThan(0);
    expect(report.thresholds.find((t) => t.metric === "crosspod_acknowledged_lost")).toMatchObject({
      ok: false,
      actual: redis.acknowledgedLost,
    });
  });

  it("loses no acknowledged trigger with DURABILITY=replica: triggers in the window get 503", async () => {
    chaos = await startChaosCluster({
      replicas: 2,
      delivery: "recover",
      redisMode: "sentinel",
      // Two replicas: after the kill the new primary still has one to confirm writes.
      redisReplicas: 2,
      env: { DURABILITY: "replica", DURABILITY_TIMEOUT_MS: "200" },
    });
    const cluster = chaos;
    const report = await run(
      cluster,
      timeline(cluster, 2, () => killPrimaryInWindow(cluster, 600)),
    );

    const redis = redisImpact(report);
    expect(redis.acknowledgedLost, describeRun(report)).toBe(0);
    expect(redis.refused).toBeGreaterThan(0);
    expect(await podsAcknowledged(cluster)).toBeLessThanOrEqual(await survivingEntries(cluster));
    expect(report.thresholds.find((t) => t.metric === "crosspod_acknowledged_lost")?.ok).toBe(true);
  });

  it("follows a graceful failover-redis: pods move to the new primary and nothing is lost", async () => {
    chaos = await startChaosCluster({ replicas: 2, delivery: "recover", redisMode: "sentinel" });
    const cluster = chaos;
    const report = await run(
      cluster,
      timeline(cluster, 2, () => cluster.controller.apply({ action: "failover-redis", target: "redis" })),
    );

    const redis = redisImpact(report);
    expect(redis.toPrimary).not.toBe(redis.fromPrimary);
    expect(redis.resubscribeMs, describeRun(report)).toBeDefined();
    expect(report.overall.delivery, describeRun(report)).toMatchObject({
      lost: 0,
      duplicates: 0,
      outOfOrder: 0,
    });
    // SENTINEL FAILOVER does not stop writes to the old primary while it promotes the replica: what the
    // old one took in between is gone (and reported), and clients get at most one reset for it.
    expect(redis.acknowledgedLost).toBeDefined();
    expect(report.overall.delivery.resets).toBeLessThanOrEqual(profile.connections);
    for (const pod of cluster.cluster.pods) {
      const ready = (await (await fetch(`${pod.httpUrl}/readyz`)).json()) as { redis_primary: string };
      expect(redis.toPrimary).toContain(ready.redis_primary);
    }
  });
});
