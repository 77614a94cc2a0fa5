// One short load run with a chaos schedule against a chaos-wired local cluster, the way `crosspod run
// --chaos` does it, plus Redis's own head seq before and after as an oracle independent of the engine.
import { Redis } from "ioredis";
import type { ChaosCluster } from "../../../lib/chaos/chaos-cluster.js";
import { ChaosScheduleRunner } from "../../../lib/chaos/chaos-schedule-runner.js";
import { parseChaosSchedule } from "../../../lib/core/chaos-schedule.js";
import { type Profile, resolveProfile } from "../../../lib/core/profiles.js";
import type { BackoffPolicy } from "../../../lib/core/reconnect-backoff.js";
import type { Report } from "../../../lib/core/report-model.js";
import { type NodeEngineOptions, runNodeEngine } from "../../../lib/engine/run-node-engine.js";

export interface ChaosRunResult {
  report: Report;
  /** Redis's seq before the first trigger and after the drain: every seq in between was published. */
  headBefore: number;
  headAfter: number;
}

/** Short enough for the suite's budget, long enough for a kill, a comeback and a steady stretch after. */
export const shortProfile: Partial<Profile> = {
  connections: 150,
  rampSeconds: 1,
  triggerRate: 15,
  durationSeconds: 5,
  drainSeconds: 5,
};

async function redisHead(chaos: ChaosCluster): Promise<number> {
  const redis = new Redis(chaos.cluster.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    return Number((await redis.get("crosspod:seq")) ?? 0);
  } finally {
    redis.disconnect();
  }
}

/**
 * Clients wait at least 0.5 s before they reconnect: a pubsub test needs frames published while they are
 * away, and a fast failover on a stalled machine could otherwise come back between two triggers.
 */
export const slowReconnect: BackoffPolicy = {
  initialDelayMs: 1000,
  maxDelayMs: 2000,
  maxAttempts: 20,
  giveUpAfterMs: 30_000,
};

export async function runWithChaos(
  chaos: ChaosCluster,
  schedule: string,
  overrides: Partial<Profile> = {},
  backoff?: BackoffPolicy,
  onProgress?: NodeEngineOptions["onProgress"],
): Promise<ChaosRunResult> {
  const profile = resolveProfile("cross-pod-load", { ...shortProfile, ...overrides });
  const headBefore = await redisHead(chaos);
  const { report } = await runNodeEngine({
    runId: `chaos-test-${Date.now()}`,
    profile,
    targets: chaos.targetUrls,
    thresholds: profile.thresholds,
    chaos: new ChaosScheduleRunner(parseChaosSchedule(schedule), chaos.controller),
    ...(backoff ? { backoff } : {}),
    ...(onProgress ? { onProgress } : {}),
    // The suite shares two cores with other runs: no validity verdict is asserted on timing here.
    saturationLimits: { cpuFraction: 1, eventLoopLagP99Ms: 10_000, lateStartFraction: 1 },
  });
  const headAfter = await redisHead(chaos);
  return { report, headBefore, headAfter };
}

/** What a failed assertion on a chaos run should show: per pod frames and fan-out, and the run's events. */
export function describeRun(report: Report): string {
  const pods = Object.entries(report.pods).map(
    ([pod, figures]) =>
      `${pod}: opened ${figures.connections.opened}, reconnects ${figures.connections.reconnects}, ` +
      `received ${figures.delivery.received}, missed ${figures.delivery.missedWhileDisconnected}, lost ${figures.delivery.lost}, ` +
      `fan-out n=${figures.fanout.count} p50 ${figures.fanout.p50} p99 ${figures.fanout.p99}`,
  );
  const events = report.events.map(
    (event) =>
      `${event.t.toFixed(2)} ${event.kind} ${event.name} ${event.target ?? ""} ${event.detail ?? ""}`,
  );
  return ["", ...pods, ...events].join("\n");
}
