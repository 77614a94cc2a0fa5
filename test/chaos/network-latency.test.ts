import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChaosCluster, startChaosCluster } from "../../lib/chaos/chaos-cluster.js";
import { skipWithoutRedis } from "../fixtures/redis.js";
import { describeRun, runWithChaos } from "./support/chaos-run.js";

describe.skipIf(skipWithoutRedis)("network chaos", () => {
  let chaos: ChaosCluster;

  beforeAll(async () => {
    chaos = await startChaosCluster({ replicas: 3, redisLinks: ["pod-a"], clientLinks: true });
  });

  afterAll(async () => {
    await chaos?.close();
  });

  it("shows 200 ms of latency between pod-a and Redis in pod-a's fan-out, and not in the other pods'", async () => {
    const { report } = await runWithChaos(chaos, "latency:redis@pod-a=200ms@0s", { durationSeconds: 4 });
    const fanout = (pod: string) => {
      const figures = report.pods[pod];
      if (!figures) throw new Error(`no figures for ${pod} in the report`);
      return figures.fanout;
    };
    // Redis stamps published_at; every frame reaches pod-a's subscriber 200 ms late, but no other pod's.
    const diagnosis = describeRun(report);
    expect(fanout("pod-a").p50, diagnosis).toBeGreaterThanOrEqual(195);
    expect(fanout("pod-a").p99, diagnosis).toBeGreaterThanOrEqual(200);
    for (const pod of ["pod-b", "pod-c"]) {
      expect(fanout(pod).p50, diagnosis).toBeLessThan(fanout("pod-a").p50 - 150);
      expect(fanout(pod).p99, diagnosis).toBeLessThan(fanout("pod-a").p99);
    }
    expect(report.overall.delivery).toMatchObject({ lost: 0, duplicates: 0, outOfOrder: 0 });
    expect(report.chaos.map((impact) => [impact.action, impact.target])).toEqual([
      ["latency", "redis@pod-a"],
    ]);
  });
});
