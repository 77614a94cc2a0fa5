// The Node engine's report: the run header (lib/core/run-header.ts, as the k6 summary writes it), every pod's
// recorder and matrix, the time series, the timeline, and the impact of each chaos event, judged by
// settling the delivery checkers over that event's window.
import { type ChaosImpactRecorder, chaosImpacts, faultSpans } from "../core/chaos-impact.js";
import type { Accounting } from "../core/delivery-checker.js";
import type { DriftFigures } from "../core/drift-figures.js";
import type { Profile } from "../core/profiles.js";
import type { Report, RunEvent, TimeSeriesPoint } from "../core/report-model.js";
import { runHeader } from "../core/run-header.js";
import { type MeasuredPhase, measurePhases, type PhaseName, phaseWindows } from "../core/run-phases.js";
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
  /** The drift section, when the run sampled drift. */
  drift?: DriftFigures | undefined;
}

/** The report's run header: what ran, against what, with which settings (also for checkpoints). */
export function nodeRunHeader(
  input: Pick<
    NodeReportInput,
    "runId" | "profile" | "targets" | "accounting" | "settings" | "startedAtMs" | "endedAtMs" | "segment"
  > & { pool: Pick<ConnectionPool, "adapter"> },
): Report["run"] {
  return runHeader({
    runId: input.runId,
    profile: input.profile,
    engine: "node",
    startedAtMs: input.startedAtMs,
    endedAtMs: input.endedAtMs,
    targets: input.targets,
    adapter: input.pool.adapter.kind,
    accounting: input.accounting,
    ...(input.settings ? { settings: input.settings } : {}),
    ...(input.segment ? { segment: input.segment } : {}),
  });
}

export function buildNodeReport(input: NodeReportInput): Report {
  const { pool } = input;
  return buildReport({
    run: nodeRunHeader(input),
    pods: Object.fromEntries([...pool.pods].map(([name, pod]) => [name, pod.recorder])),
    matrix: [...pool.pods.values()].flatMap((pod) => pod.matrixCells()),
    timeSeries: input.timeSeries,
    events: input.events,
    chaos: impactsOf(input),
    ...phasesOf(input),
    thresholds: input.thresholds,
    validityReasons: input.validityReasons,
    ...(input.drift ? { drift: input.drift } : {}),
  });
}

/**
 * Steady, fault and recovery figures of a chaos run, from the first trigger to the end of the run (the drain
 * receives the last triggers' frames); a run without chaos is steady throughout and needs none.
 */
function phasesOf(input: NodeReportInput): { phases?: Partial<Record<PhaseName, MeasuredPhase>> } {
  const { chaos, published, pool } = input;
  const triggerPhase = input.events.find((event) => event.kind === "phase" && event.name === "trigger");
  if (!chaos || triggerPhase === undefined) return {};
  const publishedTriggers = published.sorted();
  const windows = phaseWindows(
    input.startedAtMs + triggerPhase.t * 1000,
    input.endedAtMs,
    faultSpans({ events: chaos.events, outages: chaos.outages(), runEndMs: input.endedAtMs }),
  );
  return {
    phases: measurePhases({
      windows,
      seconds: chaos.seconds,
      settle: (fromMs, toMs) =>
        pool.settle(
          publishedTriggers.filter((t) => t.acceptedAtMs >= fromMs && t.acceptedAtMs < toMs),
          published.headSeq,
        ),
    }),
  };
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
    rejoins: chaos.rejoins(),
    ...(chaos.acknowledgedLost ? { acknowledgedLost: chaos.acknowledgedLost } : {}),
    settle: (fromMs, toMs) =>
      pool.settle(
        publishedTriggers.filter((trigger) => trigger.acceptedAtMs >= fromMs && trigger.acceptedAtMs < toMs),
        published.headSeq,
      ),
  });
}
