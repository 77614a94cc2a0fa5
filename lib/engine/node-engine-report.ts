// The Node engine's report: the run header (lib/core/run-header.ts, as the k6 summary writes it), every pod's
// recorder and matrix, the time series, the timeline, and the impact of each chaos event, judged by
// settling the delivery checkers over that event's window.
import { type ChaosImpactRecorder, chaosImpacts } from "../core/chaos-impact.js";
import type { Accounting } from "../core/delivery-checker.js";
import type { Profile } from "../core/profiles.js";
import type { Report, RunEvent, TimeSeriesPoint } from "../core/report-model.js";
import { runHeader } from "../core/run-header.js";
import { buildReport } from "../core/run-recorder.js";
import type { DiscoveredTarget } from "../core/target-discovery.js";
import type { ConnectionPool } from "./connection-pool.js";
import type { PublishedLog } from "./published-log.js";

export interface NodeReportInput {
  runId: string;
  profile: Profile;
  targets: readonly DiscoveredTarget[];
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
  /** The execution segment this runner covered, when the run was split. */
  segment?: string;
}

export function buildNodeReport(input: NodeReportInput): Report {
  const { profile, pool, startedAtMs, endedAtMs } = input;
  return buildReport({
    run: runHeader({
      runId: input.runId,
      profile,
      engine: "node",
      startedAtMs,
      endedAtMs,
      targets: input.targets,
      adapter: pool.adapter.kind,
      accounting: input.accounting,
      ...(input.settings ? { settings: input.settings } : {}),
      ...(input.segment ? { segment: input.segment } : {}),
    }),
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
    ...(chaos.acknowledgedLost ? { acknowledgedLost: chaos.acknowledgedLost } : {}),
    settle: (fromMs, toMs) =>
      pool.settle(
        publishedTriggers.filter((trigger) => trigger.acceptedAtMs >= fromMs && trigger.acceptedAtMs < toMs),
        published.headSeq,
      ),
  });
}
