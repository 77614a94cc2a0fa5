import { afterEach, describe, expect, it } from "vitest";
import { type ChaosCluster, startChaosCluster } from "../../lib/chaos/chaos-cluster.js";
import { skipWithoutRedis } from "../fixtures/redis.js";
import { runWithChaos, shortProfile } from "./support/chaos-run.js";

const connections = shortProfile.connections as number;

describe.skipIf(skipWithoutRedis)("Redis chaos", () => {
  let chaos: ChaosCluster | undefined;

  afterEach(async () => {
    await chaos?.close();
    chaos = undefined;
  });

  it("loses nothing when Redis is killed and restarted with its data kept", async () => {
    chaos = await startChaosCluster({
      replicas: 3,
      delivery: "recover",
      clientLinks: true,
      redisPersistence: true,
    });
    const { report, headBefore, headAfter } = await runWithChaos(chaos, "kill-redis@2s..4s");
    expect(report.events.filter((event) => event.kind === "chaos").map((event) => event.name)).toEqual([
      "kill-redis",
      "restart-redis",
    ]);
    const { delivery } = report.overall;
    expect(delivery).toMatchObject({ lost: 0, duplicates: 0, outOfOrder: 0, resets: 0 });
    expect(delivery.expected).toBe(connections * (headAfter - headBefore));
    expect(delivery.received).toBe(delivery.expected);
    expect(report.chaos.map((impact) => impact.historyLost)).toEqual([false, false]);
    // Triggers sent while Redis was down failed (503) and were not published: the run stays valid.
    expect(report.overall.triggers.failed).toBeGreaterThan(0);
    expect(report.validity.reasons.join("; ")).not.toContain("triggers failed");
  });

  it("resets every client and says history was lost when Redis comes back without its data", async () => {
    chaos = await startChaosCluster({
      replicas: 3,
      delivery: "recover",
      clientLinks: true,
      redisPersistence: false,
    });
    const { report } = await runWithChaos(chaos, "kill-redis@2s..4s");
    const { delivery } = report.overall;
    expect(delivery.resets).toBe(connections);
    expect(report.chaos.some((impact) => impact.historyLost)).toBe(true);
    expect(report.events.some((event) => event.kind === "reset" && event.name === "history-reset")).toBe(
      true,
    );
    expect(delivery).toMatchObject({ duplicates: 0, outOfOrder: 0 });
  });
});
