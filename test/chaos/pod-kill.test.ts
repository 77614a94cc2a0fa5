import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChaosCluster, startChaosCluster } from "../../lib/chaos/chaos-cluster.js";
import type { Report } from "../../lib/core/report-model.js";
import { skipWithoutRedis } from "../fixtures/redis.js";
import { describeRun, runWithChaos, shortProfile, slowReconnect } from "./support/chaos-run.js";

const connections = shortProfile.connections as number;
/** Connections are spread round-robin over three pods. */
const perPod = connections / 3;

function chaosRow(report: Report, action: string) {
  const row = report.chaos.find((impact) => impact.action === action);
  if (!row)
    throw new Error(`no ${action} row in the report's chaos section: ${JSON.stringify(report.chaos)}`);
  return row;
}

function closeCodes(report: Report, pod: string): string[] {
  return report.events
    .filter((event) => event.name === "disconnected" && event.target === pod)
    .map((event) => event.detail ?? "");
}

/** Reconnects counted on the pods other than `pod`: where its clients landed. */
function reconnectsElsewhere(report: Report, pod: string): number {
  return Object.entries(report.pods)
    .filter(([name]) => name !== pod)
    .reduce((sum, [, figures]) => sum + figures.connections.reconnects, 0);
}

describe.skipIf(skipWithoutRedis)("pod chaos in recover mode", () => {
  let chaos: ChaosCluster;

  beforeAll(async () => {
    chaos = await startChaosCluster({ replicas: 3, delivery: "recover", clientLinks: true });
  });

  afterAll(async () => {
    await chaos?.close();
  });

  it("reconnects every client of a SIGKILLed pod, and loses, duplicates and reorders nothing", async () => {
    const { report } = await runWithChaos(chaos, "kill-pod:pod-b@2s,restart-pod:pod-b@4s");
    const kill = chaosRow(report, "kill-pod");
    expect(kill.target).toBe("pod-b");
    expect(kill.clientsDisconnected).toBe(perPod);
    expect(kill.reconnectTime.count).toBe(perPod);
    expect(kill.reconnectTime.max).toBeGreaterThan(0);
    // Once pod-b is back its link sends the failed-over clients back to it, a second reconnect each,
    // charged to the restart (whether that happens before the run ends depends on how fast pod-b starts).
    const restart = chaosRow(report, "restart-pod");
    expect([0, perPod]).toContain(restart.clientsDisconnected);
    expect(report.overall.connections.reconnects).toBe(perPod + restart.clientsDisconnected);
    expect(report.overall.delivery).toMatchObject({
      lost: 0,
      duplicates: 0,
      outOfOrder: 0,
      missedWhileDisconnected: 0,
    });
    expect(kill).toMatchObject({
      lost: 0,
      duplicates: 0,
      outOfOrder: 0,
      missedWhileDisconnected: 0,
      historyLost: false,
    });
    expect(report.overall.delivery.received).toBe(report.overall.delivery.expected);
    expect(report.events.find((event) => event.kind === "chaos" && event.name === "kill-pod")?.detail).toBe(
      "SIGKILL; exited on SIGKILL",
    );
    expect(chaos.cluster.pod("pod-b").running).toBe(true);
  });

  it("sends the clients of a gracefully stopped pod 1001, and they resume on another pod losing nothing", async () => {
    const { report } = await runWithChaos(chaos, "stop-pod:pod-a@2s..4s");
    const stop = chaosRow(report, "stop-pod");
    expect(stop.clientsDisconnected).toBe(perPod);
    expect(closeCodes(report, "pod-a")).toEqual(["close code 1001"]);
    expect(reconnectsElsewhere(report, "pod-a")).toBe(perPod);
    expect(report.overall.delivery).toMatchObject({
      lost: 0,
      duplicates: 0,
      outOfOrder: 0,
      missedWhileDisconnected: 0,
    });
    expect(report.overall.delivery.received).toBe(report.overall.delivery.expected);
  });
});

describe.skipIf(skipWithoutRedis)("pod chaos in pubsub mode", () => {
  let chaos: ChaosCluster;

  beforeAll(async () => {
    chaos = await startChaosCluster({ replicas: 3, delivery: "pubsub", clientLinks: true });
  });

  afterAll(async () => {
    await chaos?.close();
  });

  /**
   * Every connection said hello before the first trigger, so each should have seen every seq Redis
   * handed out during the run; what it did not receive it missed while away (nothing is lost while
   * connected). This count comes from Redis, not from the engine's checkers.
   */
  function expectMissedExactly(result: Awaited<ReturnType<typeof runWithChaos>>, action: string): number {
    const { report, headBefore, headAfter } = result;
    const expected = connections * (headAfter - headBefore);
    const { delivery } = report.overall;
    expect(delivery.expected).toBe(expected);
    expect(delivery.lost).toBe(0);
    expect(delivery.duplicates).toBe(0);
    expect(delivery.outOfOrder).toBe(0);
    expect(delivery.recovered).toBe(0);
    expect(delivery.missedWhileDisconnected).toBe(expected - delivery.received);
    expect(delivery.missedWhileDisconnected, describeRun(report)).toBeGreaterThan(0);
    // Each event's row has its share: the fault's, and the rebalance's when the pod came back.
    const rows = result.report.chaos.reduce((sum, row) => sum + row.missedWhileDisconnected, 0);
    expect(rows).toBe(delivery.missedWhileDisconnected);
    expect(chaosRow(report, action).missedWhileDisconnected).toBeGreaterThan(0);
    return delivery.missedWhileDisconnected;
  }

  it("loses exactly the frames published while the killed pod's clients were away", async () => {
    const result = await runWithChaos(chaos, "kill-pod:pod-b@2s,restart-pod:pod-b@4s", {}, slowReconnect);
    expect(result.report.run.delivery).toBe("pubsub");
    const kill = chaosRow(result.report, "kill-pod");
    expect(kill.clientsDisconnected).toBe(perPod);
    expect(kill.reconnectTime.count).toBe(perPod);
    expectMissedExactly(result, "kill-pod");
  });

  it("counts exactly what the clients of a gracefully stopped pod missed before they said hello elsewhere", async () => {
    const result = await runWithChaos(chaos, "stop-pod:pod-c@2s..4s", {}, slowReconnect);
    expect(closeCodes(result.report, "pod-c")).toEqual(["close code 1001"]);
    expect(reconnectsElsewhere(result.report, "pod-c")).toBe(perPod);
    expectMissedExactly(result, "stop-pod");
  });
});
