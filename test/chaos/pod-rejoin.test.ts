// The restarted pod rejoins: after kill-pod and restart-pod, triggers rotate through pod-b again and its
// link (the failover proxy in front of it) sends the clients that failed over back to it, so pod-b holds
// its share of clients to the end of the run; the chaos row says when it served its first trigger and
// first client again, and the default rejoin threshold passes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChaosCluster, startChaosCluster } from "../../lib/chaos/chaos-cluster.js";
import { renderConsoleSummary } from "../../lib/report/console-summary.js";
import { renderHtmlReport } from "../../lib/report/html-report.js";
import { skipWithoutRedis } from "../fixtures/redis.js";
import { describeRun, runWithChaos } from "./support/chaos-run.js";

const connections = 60;
const perPod = connections / 3;

/** Open WebSocket connections the pod reports on its own /metrics; undefined while it is down. */
async function podConnections(chaos: ChaosCluster, pod: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(`${chaos.cluster.pod(pod).httpUrl}/metrics`)).text();
    const line = text.split("\n").find((l) => l.startsWith("crosspod_backend_ws_connections"));
    return Number(line?.split(" ").at(-1));
  } catch {
    return undefined;
  }
}

/**
 * Polls the pod's connection gauge until `done` settles (every 200 ms, bounded by the run): the most
 * connections its restarted process held, i.e. seen after a poll found it down.
 */
async function mostHeldAfterRestart(chaos: ChaosCluster, pod: string, done: Promise<unknown>) {
  let finished = false;
  done.then(
    () => {
      finished = true;
    },
    () => {
      finished = true;
    },
  );
  let wasDown = false;
  let most = 0;
  for (let polls = 0; !finished && polls < 300; polls += 1) {
    const held = await podConnections(chaos, pod);
    if (held === undefined) wasDown = true;
    else if (wasDown) most = Math.max(most, held);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { wasDown, most };
}

describe.skipIf(skipWithoutRedis)("a pod restarted by chaos", () => {
  let chaos: ChaosCluster;

  beforeAll(async () => {
    chaos = await startChaosCluster({ replicas: 3, delivery: "recover", clientLinks: true });
  });

  afterAll(async () => {
    await chaos?.close();
  });

  it("accepts triggers and holds its clients again after the restart", async () => {
    const running = runWithChaos(chaos, "kill-pod:pod-b@1s,restart-pod:pod-b@2s", {
      connections,
      triggerRate: 10,
      durationSeconds: 8,
      drainSeconds: 3,
      thresholds: {
        crosspod_fanout_latency: [],
        "crosspod_fanout_latency{phase:steady}": ["p(99)<60000"],
        "crosspod_lost{phase:fault}": ["count==0"],
      },
    });
    const held = await mostHeldAfterRestart(chaos, "pod-b", running);
    const { report } = await running;
    const context = describeRun(report);
    const restart = report.chaos.find((row) => row.action === "restart-pod");
    expect(restart?.scheduledAt).toBe(2);
    expect(restart?.t).toBeGreaterThan(2);
    const rejoined = restart?.rejoined;
    expect(rejoined?.firstTriggerSeconds, context).not.toBeNull();
    expect(rejoined?.firstClientSeconds, context).not.toBeNull();
    expect(restart?.clientsDisconnected, context).toBe(perPod);
    expect(held, context).toEqual({ wasDown: true, most: perPod });

    // Accepted by pod-b after its restart: more than the triggers it took before the kill at 1 s.
    const acceptedByB = report.pods["pod-b"]?.triggers.accepted ?? 0;
    expect(acceptedByB, context).toBeGreaterThan(10);
    expect(report.overall.delivery).toMatchObject({ lost: 0, duplicates: 0, outOfOrder: 0 });

    // The kill and the rebalance are faults; per-phase thresholds judge each phase's own figures.
    expect(report.phases?.steady?.fanout.count, context).toBeGreaterThan(0);
    expect(report.phases?.fault?.seconds, context).toBeGreaterThan(0);
    const steady = report.thresholds.find((t) => t.metric === "crosspod_fanout_latency{phase:steady}");
    expect(steady?.actual).toBeCloseTo(report.phases?.steady?.fanout.p99 ?? -1, 0);
    expect(report.thresholds.find((t) => t.metric === "crosspod_lost{phase:fault}")).toMatchObject({
      ok: true,
      actual: 0,
    });
    expect(renderConsoleSummary(report, { color: false })).toMatch(/Phases[^\n]*\n.*steady\s+fault/);
    expect(renderHtmlReport(report)).toContain('<table id="phases">');
  }, 60_000);
});
