// A failing system is a result, not an invalid measurement: with the pod that takes a third of the triggers
// SIGKILLed mid-run (a real process), the run stays valid and its verdict comes from the trigger-failure
// and loss thresholds, the refusals named on the timeline.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCluster, startLocalCluster } from "../../lib/cluster/local-cluster.js";
import { resolveProfile } from "../../lib/core/profiles.js";
import { triggerFailureThresholds } from "../../lib/core/thresholds.js";
import { runNodeEngine } from "../../lib/engine/run-node-engine.js";
import { reportVerdict } from "../../lib/report/report-verdict.js";
import { skipWithoutRedis } from "../fixtures/redis.js";

describe.skipIf(skipWithoutRedis)("a run against a backend whose trigger pod is killed", () => {
  let cluster: LocalCluster | undefined;

  beforeAll(async () => {
    cluster = await startLocalCluster({ replicas: 3 });
  }, 60_000);

  afterAll(async () => {
    await cluster?.close();
  });

  it("is valid and judged by its trigger-failure and loss thresholds", async () => {
    if (!cluster) throw new Error("the cluster did not start");
    const podB = cluster.pod("pod-b");
    const profile = resolveProfile("cross-pod-load", {
      connections: 30,
      rampSeconds: 1,
      triggerRate: 20,
      durationSeconds: 4,
      drainSeconds: 2,
    });
    let killed: Promise<unknown> | undefined;
    const { report } = await runNodeEngine({
      runId: `killed-trigger-pod-${Date.now()}`,
      profile,
      targets: cluster.pods.map((pod) => pod.httpUrl),
      // The CLI's defaults for a run without chaos; latency on a shared machine is not what this judges.
      thresholds: { ...profile.thresholds, ...triggerFailureThresholds, crosspod_fanout_latency: [] },
      onProgress: (progress) => {
        if (killed === undefined && progress.triggersAccepted >= 10) killed = podB.kill("SIGKILL");
      },
      // Clients of the dead pod give up quickly instead of retrying past the drain.
      backoff: { initialDelayMs: 200, maxDelayMs: 400, maxAttempts: 3, giveUpAfterMs: 1500 },
      // Generator saturation on a shared 2-core machine is not under test here.
      saturationLimits: { cpuFraction: 1, eventLoopLagP99Ms: 10_000, lateStartFraction: 1 },
    });
    await killed;
    expect(killed, "pod-b was never killed: no progress report saw 10 accepted triggers").toBeDefined();
    expect(podB.running).toBe(false);

    const refused = report.pods["pod-b"]?.triggers.failed ?? 0;
    expect(refused).toBeGreaterThan(0);
    expect(report.validity).toEqual({ valid: true, reasons: [] });
    const failures = report.thresholds.find((t) => t.metric === "crosspod_trigger_failures");
    expect(failures).toMatchObject({ expression: "rate<0.01", ok: false });
    expect(failures?.actual).toBeCloseTo(report.overall.triggers.failed / report.overall.triggers.sent, 9);
    expect(report.thresholds.find((t) => t.metric === "crosspod_lost")).toMatchObject({
      expression: "count==0",
      actual: report.overall.delivery.lost,
    });
    expect(report.events).toContainEqual(
      expect.objectContaining({
        name: "triggers-failed",
        detail: expect.stringMatching(
          /triggers failed \(ECONNREFUSED: \d+.*judged by crosspod_trigger_failures/,
        ),
      }),
    );
    const verdict = reportVerdict(report);
    expect(verdict.word).toBe("FAIL");
    expect(verdict.reasons[0]).toMatch(
      /thresholds failed, judging the system under test \(.*crosspod_trigger_failures rate<0\.01/,
    );
    expect(verdict.facts).toContain("run valid (the load generator kept up)");
  }, 60_000);
});
