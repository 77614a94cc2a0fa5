// Pass/fail thresholds in k6's syntax ("p(99)<250", "count==0", "rate>0.999") over the report's metrics,
// so one spec works for both engines; k6 evaluates the same strings natively on its custom metrics.
import { type DriftFigures, worstPodSlope } from "./drift-figures.js";
import type { LatencyHistogram } from "./latency-histogram.js";
import { loadMetrics } from "./metric-names.js";
import type { LatencySummary, PodFigures, ThresholdResult } from "./report-model.js";
import { type MeasuredPhase, type PhaseName, phaseNames } from "./run-phases.js";
import { ThresholdSyntaxError } from "./threshold-syntax-error.js";

export { ThresholdSyntaxError };

export type ThresholdOperator = "<" | "<=" | ">" | ">=" | "==" | "!=";

export interface ParsedThreshold {
  /** avg, min, max, med, count, rate, value, or "p" with `percentile` set. */
  aggregation: string;
  percentile?: number;
  op: ThresholdOperator;
  value: number;
}

type MetricType = "trend" | "counter" | "rate" | "drift";
type LatencyKey = "fanout" | "e2e" | "reconnectTime";

/** Exact percentiles come from these when given; otherwise only the summary's percentiles can be judged. */
export type ThresholdHistograms = Partial<Record<LatencyKey, LatencyHistogram>>;

/** Figures of the whole run that no pod has; null when the run did not measure them. */
export interface RunFacts {
  /** Triggers answered 202 that a Redis failover lost (Sentinel runs with failover chaos). */
  acknowledgedLost: number | null;
  /** The drift section, when the run sampled drift (a soak on the Node engine). */
  drift?: DriftFigures | undefined;
  /** Pods brought back by chaos (restart-pod) that never served a trigger or a client again; null if none was. */
  rejoinFailures?: number | null;
  /**
   * Per-phase figures of a run with chaos; absent when the run had none, and then it was steady
   * throughout: `{phase:steady}` judges the overall figures, other phases have no value.
   */
  phases?: Partial<Record<PhaseName, MeasuredPhase>>;
}

/** Restarted pods that never served a trigger and a client again: `count==0` by default under chaos. */
export const rejoinFailuresMetric = "crosspod_rejoin_failures";

/** Acknowledged triggers lost to Redis failovers; a default `count==0` threshold in Sentinel chaos runs. */
export const acknowledgedLostMetric = "crosspod_acknowledged_lost";

/** Failed ÷ sent triggers: the system's refusals, judged rather than making the run invalid. */
export const triggerFailuresMetric = "crosspod_trigger_failures";

/** Runs without chaos judge refused triggers by default: under 1 % (a chaos run refuses some by design). */
export const triggerFailureThresholds: Readonly<Record<string, readonly string[]>> = {
  [triggerFailuresMetric]: ["rate<0.01"],
};

interface MetricSource {
  type: MetricType;
  latency?: LatencyKey;
  read?: (figures: PodFigures, run: RunFacts) => number | null;
  drift?: (drift: DriftFigures) => number | null;
}

const aggregationsByType: Record<MetricType, readonly string[]> = {
  trend: ["p", "avg", "min", "max", "med", "count"],
  counter: ["count"],
  rate: ["rate"],
  drift: ["value"],
};

const metrics: Record<string, MetricSource> = {
  [loadMetrics.fanoutLatency]: { type: "trend", latency: "fanout" },
  [loadMetrics.e2eLatency]: { type: "trend", latency: "e2e" },
  [loadMetrics.reconnectTime]: { type: "trend", latency: "reconnectTime" },
  [loadMetrics.lost]: { type: "counter", read: (f) => f.delivery.lost },
  [loadMetrics.duplicates]: { type: "counter", read: (f) => f.delivery.duplicates },
  [loadMetrics.outOfOrder]: { type: "counter", read: (f) => f.delivery.outOfOrder },
  [loadMetrics.framesReceived]: { type: "counter", read: (f) => f.delivery.received },
  [loadMetrics.reconnects]: { type: "counter", read: (f) => f.connections.reconnects },
  crosspod_missed: { type: "counter", read: (f) => f.delivery.missedWhileDisconnected },
  [acknowledgedLostMetric]: { type: "counter", read: (_, run) => run.acknowledgedLost },
  [rejoinFailuresMetric]: { type: "counter", read: (_, run) => run.rejoinFailures ?? null },
  // Share of expected frames that arrived (recovered ones included); frames nobody expected do not inflate it.
  crosspod_delivery: {
    type: "rate",
    read: (f) => {
      const { expected, lost, missedWhileDisconnected } = f.delivery;
      return expected === 0 ? null : (expected - lost - missedWhileDisconnected) / expected;
    },
  },
  // Share of triggers the system did not accept (refused, reset, timed out, 5xx, pod down): a result of the
  // system under test, judged here rather than making the run invalid.
  [triggerFailuresMetric]: {
    type: "rate",
    read: (f) => (f.triggers.sent === 0 ? null : f.triggers.failed / f.triggers.sent),
  },
  // Drift over a soak's steady phase: the worst pod's slope per hour, Redis's, and fan-out p99 last ÷ first window.
  crosspod_pod_rss_slope: { type: "drift", drift: (d) => worstPodSlope(d, "rssMiBPerHour") },
  crosspod_pod_heap_slope: { type: "drift", drift: (d) => worstPodSlope(d, "heapMiBPerHour") },
  crosspod_pod_lag_slope: { type: "drift", drift: (d) => worstPodSlope(d, "eventLoopLagMsPerHour") },
  crosspod_pod_connections_slope: {
    type: "drift",
    drift: (d) => worstPodSlope(d, "connectionsPerHour"),
  },
  crosspod_redis_memory_slope: { type: "drift", drift: (d) => d.redis?.memoryMiBPerHour ?? null },
  crosspod_redis_stream_length_slope: {
    type: "drift",
    drift: (d) => d.redis?.streamLengthPerHour ?? null,
  },
  crosspod_fanout_p99_drift: { type: "drift", drift: (d) => d.fanoutP99Drift },
};

/** Metric names thresholds may refer to. */
export const thresholdMetrics: readonly string[] = Object.keys(metrics);

/** Metrics measured per phase: figures of the frames received and the triggers sent in it. */
const perPhaseMetrics: ReadonlySet<string> = new Set([
  loadMetrics.fanoutLatency,
  loadMetrics.lost,
  "crosspod_missed",
  "crosspod_delivery",
  triggerFailuresMetric,
]);

/** A threshold's key: a metric, or k6's tagged form `metric{phase:steady}`. */
export interface ThresholdKey {
  metric: string;
  phase?: PhaseName;
}

const taggedKeyPattern = /^\s*([A-Za-z0-9_]+)\s*\{\s*([A-Za-z_]+)\s*:\s*([A-Za-z_]+)\s*\}\s*$/;

export function parseThresholdKey(key: string): ThresholdKey {
  if (!key.includes("{")) return { metric: key };
  const match = taggedKeyPattern.exec(key);
  const [, metric = "", tag = "", value = ""] = match ?? [];
  if (match === null || tag !== "phase") {
    throw new ThresholdSyntaxError(
      `threshold key "${key}" is malformed: expected metric or metric{phase:NAME} such as crosspod_fanout_latency{phase:steady}`,
    );
  }
  if (!(phaseNames as readonly string[]).includes(value)) {
    throw new ThresholdSyntaxError(
      `threshold key "${key}" names phase "${value}": expected one of ${phaseNames.join(", ")}`,
    );
  }
  if (!perPhaseMetrics.has(metric)) {
    throw new ThresholdSyntaxError(
      `threshold key "${key}": ${metric} is not measured per phase; per-phase metrics are ${[...perPhaseMetrics].join(", ")}`,
    );
  }
  return { metric, phase: value as PhaseName };
}

/** Whether any threshold of `spec` judges drift, so the run has to sample it. */
export function judgesDrift(spec: Record<string, readonly string[]>): boolean {
  return Object.entries(spec).some(
    ([metric, expressions]) =>
      expressions.length > 0 && Object.hasOwn(metrics, metric) && metrics[metric]?.type === "drift",
  );
}

const expressionPattern =
  /^\s*(avg|min|max|med|count|rate|value|p\(\s*([0-9]+(?:\.[0-9]+)?)\s*\))\s*(<=|>=|===|==|!=|<|>)\s*(-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)\s*$/;

export function parseThreshold(expression: string): ParsedThreshold {
  const match = expressionPattern.exec(expression);
  if (match === null) {
    throw new ThresholdSyntaxError(
      `threshold "${expression}" is malformed: expected <aggregation><operator><number> such as "p(99)<250", "count==0" or "rate>0.999"`,
    );
  }
  const [, aggregation = "", percentileText, opText = "", valueText = ""] = match;
  const op = (opText === "===" ? "==" : opText) as ThresholdOperator;
  const value = Number(valueText);
  if (percentileText === undefined) return { aggregation, op, value };
  const percentile = Number(percentileText);
  if (percentile > 100) {
    throw new ThresholdSyntaxError(
      `threshold "${expression}" asks for percentile ${percentile}: expected 0 to 100`,
    );
  }
  return { aggregation: "p", percentile, op, value };
}

function checkedThreshold(
  key: string,
  expression: string,
): { source: MetricSource; parsed: ParsedThreshold; phase: PhaseName | undefined } {
  const { metric, phase } = parseThresholdKey(key);
  const source = Object.hasOwn(metrics, metric) ? metrics[metric] : undefined;
  if (source === undefined) {
    throw new ThresholdSyntaxError(
      `threshold "${expression}" is on unknown metric "${metric}": expected one of ${thresholdMetrics.join(", ")}`,
    );
  }
  const parsed = parseThreshold(expression);
  const allowed = aggregationsByType[source.type];
  if (!allowed.includes(parsed.aggregation)) {
    const names = allowed.map((a) => (a === "p" ? "p(N)" : a)).join(", ");
    throw new ThresholdSyntaxError(
      `threshold "${expression}" on ${metric} uses "${parsed.aggregation}", which a ${source.type} does not have: expected ${names}`,
    );
  }
  return { source, parsed, phase };
}

/** Throws ThresholdSyntaxError for the first expression that is malformed or does not fit its metric. */
export function validateThresholds(spec: Record<string, readonly string[]>): void {
  for (const [metric, expressions] of Object.entries(spec)) {
    for (const expression of expressions) checkedThreshold(metric, expression);
  }
}

const summaryPercentiles: ReadonlyMap<number, keyof LatencySummary> = new Map([
  [0, "min"],
  [50, "p50"],
  [90, "p90"],
  [99, "p99"],
  [99.9, "p999"],
  [100, "max"],
]);

function latencyValue(
  expression: string,
  parsed: ParsedThreshold,
  summary: LatencySummary,
  histogram: LatencyHistogram | undefined,
): number | null {
  if (parsed.aggregation === "count") return summary.count;
  // An empty trend has no latency to judge (k6 skips such thresholds too); loss is judged by the counters.
  if (summary.count === 0) return null;
  switch (parsed.aggregation) {
    case "avg":
      return summary.mean;
    case "min":
      return summary.min;
    case "max":
      return summary.max;
    case "med":
      return histogram ? histogram.percentileMs(50) : summary.p50;
  }
  const percentile = parsed.percentile ?? 0;
  if (histogram) return histogram.percentileMs(percentile);
  const key = summaryPercentiles.get(percentile);
  if (key === undefined) {
    throw new ThresholdSyntaxError(
      `threshold "${expression}" needs the latency histogram: without it only p(0), p(50), p(90), p(99), p(99.9) and p(100) are known`,
    );
  }
  return summary[key];
}

function compare(actual: number, op: ThresholdOperator, value: number): boolean {
  switch (op) {
    case "<":
      return actual < value;
    case "<=":
      return actual <= value;
    case ">":
      return actual > value;
    case ">=":
      return actual >= value;
    case "==":
      return actual === value;
    case "!=":
      return actual !== value;
  }
}

/**
 * Evaluates every expression of `spec` ({metric: [expression, …]}) on `overall`, in spec order.
 * A metric without data (an empty trend, a rate with nothing expected) gives `actual: null` and passes;
 * so does a drift metric of a run that sampled no drift (the k6 engine), or whose slope needs more samples.
 */
export function evaluateThresholds(
  spec: Record<string, readonly string[]>,
  overall: PodFigures,
  histograms: ThresholdHistograms = {},
  run: RunFacts = { acknowledgedLost: null },
): ThresholdResult[] {
  const results: ThresholdResult[] = [];
  for (const [metric, expressions] of Object.entries(spec)) {
    for (const expression of expressions) {
      const { source, parsed, phase } = checkedThreshold(metric, expression);
      const measured =
        phase === undefined ? { figures: overall, histograms } : phaseOf(phase, overall, histograms, run);
      const actual =
        measured === undefined
          ? null
          : source.latency
            ? latencyValue(
                expression,
                parsed,
                measured.figures[source.latency],
                measured.histograms[source.latency],
              )
            : source.drift
              ? run.drift === undefined
                ? null
                : source.drift(run.drift)
              : (source.read?.(measured.figures, run) ?? null);
      results.push({
        metric,
        expression,
        ok: actual === null || compare(actual, parsed.op, parsed.value),
        actual,
      });
    }
  }
  return results;
}

/** A phase's figures in the shape thresholds read; undefined when the run had no such phase. */
function phaseOf(
  phase: PhaseName,
  overall: PodFigures,
  histograms: ThresholdHistograms,
  run: RunFacts,
): { figures: PodFigures; histograms: ThresholdHistograms } | undefined {
  if (run.phases === undefined) return phase === "steady" ? { figures: overall, histograms } : undefined;
  const measured = run.phases[phase];
  if (measured === undefined) return undefined;
  const { triggers, delivery, fanout } = measured.figures;
  const empty: LatencySummary = { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  return {
    figures: {
      connections: { opened: 0, failed: 0, peak: 0, reconnects: 0 },
      triggers: { sent: triggers.sent, accepted: triggers.sent - triggers.failed, failed: triggers.failed },
      delivery,
      fanout,
      e2e: empty,
      reconnectTime: empty,
    },
    histograms: { fanout: measured.fanout },
  };
}
