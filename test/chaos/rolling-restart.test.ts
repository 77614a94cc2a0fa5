// A recurring chaos schedule against a real local cluster: `restart-pod:*@every 3s` restarts each pod in
// turn, one per occurrence, every restart is an event on the timeline with its own impact row, and recover
// mode still loses nothing; with an interval shorter than a restart, each still waits for the previous.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChaosCluster, startChaosCluster } from "../../lib/chaos/chaos-cluster.js";
import { ChaosScheduleRunner } from "../../lib/chaos/chaos-schedule-runner.js";
import { parseChaosSchedule } from "../../lib/core/chaos-schedule.js";
import { resolveProfile } from "../../lib/core/profiles.js";
import { runNodeEngine } from "../../lib/engine/run-node-engine.js";
import { skipWithoutRedis } from "../fixtures/redis.js";
import { describeRun, shortProfile } from "./support/chaos-run.js";

describe.skipIf(skipWithoutRedis)("a rolling restart (recurring chaos)", () => {
  let chaos: ChaosCluster;

  beforeAll(async () => {
    chaos = await startChaosCluster({ replicas: 3, delivery: "recover", clientLinks: true });
  });

  afterAll(async () => {
    await chaos?.close();
  });

  async function rollingRun(schedule: string, durationSeconds: number) {
    const profile = resolveProfile("cross-pod-load", { ...shortProfile, connections: 60, durationSeconds });
    const steps = parseChaosSchedule(schedule, {
      pods: chaos.cluster.pods.map((pod) => pod.name),
      durationSeconds: profile.durationSeconds,
    });
    const { report } = await runNodeEngine({
      runId: `rolling-restart-${Date.now()}`,
      profile,
      targets: chaos.targetUrls,
      thresholds: profile.thresholds,
      chaos: new ChaosScheduleRunner(steps, chaos.controller),
      saturationLimits: { cpuFraction: 1, eventLoopLagP99Ms: 10_000, lateStartFraction: 1 },
    });
    const restarts = report.events.filter((event) => event.kind === "chaos" && event.name === "restart-pod");
    return { report, restarts };
  }

  it("restarts one pod per occurrence, each in turn, with every restart on the timeline", async () => {
    const { report, restarts } = await rollingRun("restart-pod:*@every 3s", 10);
    expect(
      restarts.map((event) => event.target),
      describeRun(report),
    ).toEqual(["pod-a", "pod-b", "pod-c"]);
    expect(report.chaos.map((impact) => impact.target)).toEqual(["pod-a", "pod-b", "pod-c"]);
    expect(report.overall.delivery, describeRun(report)).toMatchObject({
      lost: 0,
      duplicates: 0,
      outOfOrder: 0,
    });
    expect(report.overall.connections.reconnects).toBeGreaterThan(0);
  }, 60_000);

  it("starts the next pod's restart only once the previous pod is ready again, however short the interval", async () => {
    const { report, restarts } = await rollingRun("restart-pod:*@every 1s", 9);
    // A restart takes seconds here, so most occurrences wait; one still waiting at the end is not issued.
    expect(restarts.length, describeRun(report)).toBeGreaterThanOrEqual(2);
    expect(restarts.map((event) => event.target)).toEqual(
      ["pod-a", "pod-b", "pod-c", "pod-a", "pod-b", "pod-c", "pod-a", "pod-b"].slice(0, restarts.length),
    );
    for (let index = 1; index < restarts.length; index++) {
      const previous = restarts[index - 1];
      const readyMs = Number(/ready after (\d+) ms/.exec(previous?.detail ?? "")?.[1]);
      expect(readyMs, previous?.detail).toBeGreaterThan(0);
      // Event times are rounded to the millisecond; the restart's own clock may start a hair later.
      expect((restarts[index]?.t ?? 0) * 1000).toBeGreaterThanOrEqual(
        (previous?.t ?? 0) * 1000 + readyMs - 5,
      );
    }
  }, 60_000);
});
