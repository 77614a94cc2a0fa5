// k6's own end-of-test figures as text: every metric with its aggregates and every threshold k6 judged.
// k6 prints its standard summary only when handleSummary returns nothing, and its textSummary helper is a
// remote jslib, so this renders the same information from handleSummary's data with no imports.
import type { K6SummaryData, K6SummaryMetric } from "./k6-summary-data.js";

const nameWidth = 40;

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(1) : value.toFixed(3).replace(/\.?0+$/, "");
}

function formatTime(ms: number): string {
  if (ms >= 60_000) return `${(ms / 60_000).toFixed(2)}m`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)}s`;
  if (ms >= 1) return `${ms.toFixed(2)}ms`;
  return `${(ms * 1000).toFixed(2)}µs`;
}

function formatData(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function metricValue(metric: K6SummaryMetric, value: number): string {
  if (metric.contains === "time") return formatTime(value);
  if (metric.contains === "data") return formatData(value);
  return formatNumber(value);
}

/** k6's own order (avg min med max, then percentiles ascending), whatever order the values object has. */
const trendStatOrder = ["avg", "min", "med", "max"];

function percentileOf(stat: string): number {
  const match = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
  return match ? Number(match[1]) : Number.POSITIVE_INFINITY;
}

function statRank(stat: string): number {
  const known = trendStatOrder.indexOf(stat);
  return known >= 0 ? known - trendStatOrder.length : percentileOf(stat);
}

function trendStats(values: Record<string, number>): [string, number][] {
  return Object.entries(values).sort(([a], [b]) => statRank(a) - statRank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

function metricLine(metric: K6SummaryMetric): string {
  const values = metric.values;
  switch (metric.type) {
    case "trend":
      return trendStats(values)
        .map(([stat, value]) => `${stat}=${metricValue(metric, value)}`)
        .join(" ");
    case "counter":
      return `${metricValue(metric, values.count ?? 0)} ${formatNumber(values.rate ?? 0)}/s`;
    case "rate": {
      const passes = values.passes ?? 0;
      const fails = values.fails ?? 0;
      return `${((values.rate ?? 0) * 100).toFixed(2)}% ${passes} out of ${passes + fails}`;
    }
    case "gauge":
      return `${metricValue(metric, values.value ?? 0)} min=${metricValue(metric, values.min ?? 0)} max=${metricValue(metric, values.max ?? 0)}`;
  }
}

function dotted(name: string): string {
  return name.length >= nameWidth ? `${name}:` : `${name}${".".repeat(nameWidth - name.length)}:`;
}

export function renderK6TextSummary(data: K6SummaryData): string {
  const names = Object.keys(data.metrics).sort();
  const thresholdLines: string[] = [];
  for (const name of names) {
    const thresholds = Object.entries(data.metrics[name]?.thresholds ?? {});
    if (thresholds.length === 0) continue;
    thresholdLines.push(`    ${name}`);
    for (const [expression, result] of thresholds) {
      thresholdLines.push(`    ${result.ok ? "✓" : "✗"} '${expression}'`);
    }
  }
  const metricLines = names.flatMap((name) => {
    const metric = data.metrics[name];
    return metric === undefined ? [] : [`    ${dotted(name)} ${metricLine(metric)}`];
  });
  const lines = [
    `  k6 summary (${formatTime(data.state.testRunDurationMs)})`,
    ...(thresholdLines.length > 0 ? ["", "  THRESHOLDS", "", ...thresholdLines] : []),
    "",
    "  METRICS",
    "",
    ...metricLines,
  ];
  return `\n${lines.join("\n")}\n`;
}
