// The Node engine's report: the run header (targets, delivery mode, accounting, settings), every pod's
// recorder and matrix, the time series, the timeline, and the impact of each chaos event, judged by
// settling the delivery checkers over that event's window.
import type { Target } from "../core/adapters/protocol-adapter.js";
import { type ChaosImpactRecorder, chaosImpacts } from "../core/chaos-impact.js";
import type { Accounting } from "../core/delivery-checker.js";
import type { Profile } from "../core/profiles.js";
import type { Report, RunEvent, TimeSeriesPoint } from "../core/report-model.js";
import { buildReport } from "../core/run-recorder.js";
import type { ConnectionPool } from "./connection-pool.js";
import type { PublishedLog } from "./published-log.js";
import type { DiscoveredTarget } from "./target-discovery.js";

export interface NodeReportInput {
  runId: string;
  profile: Profile;
  targets: readonly DiscoveredTarget[];
  adapter: Target["adapter"] | undefined;
  accounting: Accounting;
  settings: Record<string, string | number | boolean> | undefined;
  startedAtMs: number;
  endedAtMs: number;
  pool: ConnectionPool;
  published: PublishedLog;
  chaos: ChaosImpactRecorder | undefined;
  timeSeries: TimeSeriesPoint[];
  events: RunEvent[];
  thresholds: Record<string, string[]>;
  validityReasons: string[];
}

/** "recover" when every target resumes a session after a reconnect, "pubsub" when none does. */
export function deliveryMode(targets: readonly DiscoveredTarget[]): Report["run"]["delivery"] {
  if (targets.every((target) => target.resume)) return "recover";
  return targets.some((target) => target.resume) ? "unknown" : "pubsub";
}

export function buildNodeReport(input: NodeReportInput): Report {
  const { profile, pool, startedAtMs, endedAtMs } = input;
  return buildReport({
    run: {
      id: input.runId,
      profile: profile.name,
      engine: "node",
      startedAt: new Date(startedAtMs).toISOString(),
      endedAt: new Date(endedAtMs).toISOString(),
      durationSeconds: (endedAtMs - startedAtMs) / 1000,
      targets: input.targets.map((target) => ({ pod: target.pod, url: target.url })),
      delivery: deliveryMode(input.targets),
      accounting: input.accounting,
      settings: {
        connections: profile.connections,
        rampSeconds: profile.rampSeconds,
        triggerRate: profile.triggerRate,
        durationSeconds: profile.durationSeconds,
        drainSeconds: profile.drainSeconds,
        triggerPod: profile.triggerPod,
        ...(input.adapter ? { adapter: input.adapter.kind } : {}),
        ...input.settings,
      },
    },
    pods: Object.fromEntries([...pool.pods].map(([name, pod]) => [name, pod.recorder])),
    matrix: [...pool.pods.values()].flatMap((pod) => pod.matrixCells()),
    timeSeries: input.timeSeries,
    events: input.events,
    chaos: impactsOf(input),
    thresholds: input.thresholds,
    validityReasons: input.validityReasons,
  });
}

function impactsOf({ chaos, startedAtMs, endedAtMs, published, pool }: NodeReportInput): Report["chaos"] {
  if (!chaos) return [];
  const publishedTriggers = published.sorted();
  return chaosImpacts({
    runStartMs: startedAtMs,
    runEndMs: endedAtMs,
    events: chaos.events,
    outages: chaos.outages(),
    seconds: chaos.seconds,
    settle: (fromMs, toMs) =>
      pool.settle(
        publishedTriggers.filter((trigger) => trigger.acceptedAtMs >= fromMs && trigger.acceptedAtMs < toMs),
        published.headSeq,
      ),
  });
}
