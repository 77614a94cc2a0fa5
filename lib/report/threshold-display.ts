// How a threshold's actual value reads: the unit depends on the metric and the aggregation
// (`p(99)` of a latency trend is ms, `count` of the same trend is a count, `rate` is a fraction).

import { loadMetrics } from "../core/metric-names.js";
import type { ThresholdResult } from "../core/report-model.js";
import { formatCount, formatMs, formatPercent } from "./figure-format.js";

const timeTrends: ReadonlySet<string> = new Set([
  loadMetrics.fanoutLatency,
  loadMetrics.e2eLatency,
  loadMetrics.reconnectTime,
]);

/** Drift metrics' units: slopes per hour, and the p99 drift as a ratio. */
const driftUnits: Readonly<Record<string, string>> = {
  crosspod_pod_rss_slope: "MiB/h",
  crosspod_pod_heap_slope: "MiB/h",
  crosspod_pod_lag_slope: "ms/h",
  crosspod_pod_connections_slope: "connections/h",
  crosspod_redis_memory_slope: "MiB/h",
  crosspod_redis_stream_length_slope: "entries/h",
};

/** "312 ms", "0", "99.95%", "+3.2 MiB/h", "×1.08" or "no data" when the metric had no samples. */
export function formatThresholdActual(result: ThresholdResult): string {
  if (result.actual === null) return "no data";
  if (result.metric === "crosspod_fanout_p99_drift") return `×${result.actual.toFixed(2)}`;
  const driftUnit = driftUnits[result.metric];
  if (driftUnit !== undefined) return `${result.actual.toFixed(2)} ${driftUnit}`;
  const aggregation = /^\s*([a-z]+)/.exec(result.expression)?.[1] ?? "";
  if (aggregation === "rate") return `${formatPercent(result.actual)} (${trimRate(result.actual)})`;
  if (aggregation === "count") return formatCount(result.actual);
  // Per-phase keys (crosspod_fanout_latency{phase:steady}) carry the metric's unit.
  if (timeTrends.has(result.metric.replace(/\{.*\}$/, ""))) return `${formatMs(result.actual)} ms`;
  return Number.isInteger(result.actual) ? formatCount(result.actual) : formatMs(result.actual);
}

function trimRate(rate: number): string {
  return String(Number(rate.toFixed(6)));
}
