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

/** "312 ms", "0", "99.95%" or "no data" when the metric had no samples. */
export function formatThresholdActual(result: ThresholdResult): string {
  if (result.actual === null) return "no data";
  const aggregation = /^\s*([a-z]+)/.exec(result.expression)?.[1] ?? "";
  if (aggregation === "rate") return `${formatPercent(result.actual)} (${trimRate(result.actual)})`;
  if (aggregation === "count") return formatCount(result.actual);
  if (timeTrends.has(result.metric)) return `${formatMs(result.actual)} ms`;
  return Number.isInteger(result.actual) ? formatCount(result.actual) : formatMs(result.actual);
}

function trimRate(rate: number): string {
  return String(Number(rate.toFixed(6)));
}
