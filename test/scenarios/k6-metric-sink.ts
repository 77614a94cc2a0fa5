// The emulator's stand-in for k6's metrics engine: collects custom metric samples from every emulated
// VU and, at the end, aggregates them the way k6 shows them to handleSummary (counter count/rate, trend
// stats, gauge value, rate) and judges the script's thresholds on those aggregates.
import { parseThreshold } from "../../lib/core/thresholds.js";
import type { K6SummaryData, K6SummaryMetric } from "../../scenarios/lib/k6-summary-data.js";

type MetricType = K6SummaryMetric["type"];

/** One metric's samples, as they travel between threads. */
export interface Series {
  name: string;
  type: MetricType;
  isTime: boolean;
  values: number[];
  tags: Record<string, string>[];
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lowValue = sorted[low] ?? 0;
  return lowValue + ((sorted[high] ?? lowValue) - lowValue) * (rank - low);
}

function compare(actual: number, op: string, expected: number): boolean {
  switch (op) {
    case "<":
      return actual < expected;
    case "<=":
      return actual <= expected;
    case ">":
      return actual > expected;
    case ">=":
      return actual >= expected;
    case "==":
      return actual === expected;
    default:
      return actual !== expected;
  }
}

export class MetricSink {
  private readonly series = new Map<string, Series>();

  add(
    name: string,
    type: MetricType,
    isTime: boolean,
    value: number,
    tags: Record<string, string> = {},
  ): void {
    let series = this.series.get(name);
    if (series === undefined) {
      series = { name, type, isTime, values: [], tags: [] };
      this.series.set(name, series);
    }
    series.values.push(value);
    series.tags.push({ ...tags });
  }

  /** Every series, to hand to another thread's sink. */
  export(): Series[] {
    return [...this.series.values()];
  }

  /** Adds another thread's samples. */
  import(series: readonly Series[]): void {
    for (const item of series) {
      item.values.forEach((value, index) => {
        this.add(item.name, item.type, item.isTime, value, item.tags[index]);
      });
    }
  }

  /** Sum of a counter's samples, optionally only those with `tag` = `value`. */
  total(name: string, tag?: { name: string; value: string }): number {
    const series = this.series.get(name);
    if (series === undefined) return 0;
    return series.values.reduce(
      (sum, value, index) =>
        tag === undefined || series.tags[index]?.[tag.name] === tag.value ? sum + value : sum,
      0,
    );
  }

  samples(name: string): readonly number[] {
    return this.series.get(name)?.values ?? [];
  }

  summary(durationMs: number, thresholds: Record<string, string[]>): K6SummaryData {
    const metrics: Record<string, K6SummaryMetric> = {};
    for (const [name, series] of this.series) {
      const values = this.aggregate(series, durationMs);
      const judged = Object.fromEntries(
        (thresholds[name] ?? []).map((expression) => {
          const parsed = parseThreshold(expression);
          const key = parsed.aggregation === "p" ? `p(${parsed.percentile})` : parsed.aggregation;
          const actual = values[key] ?? this.aggregate(series, durationMs, [key])[key] ?? 0;
          return [expression, { ok: compare(actual, parsed.op, parsed.value) }];
        }),
      );
      metrics[name] = {
        type: series.type,
        contains: series.isTime ? "time" : "default",
        values,
        ...(Object.keys(judged).length > 0 ? { thresholds: judged } : {}),
      };
    }
    return { metrics, state: { testRunDurationMs: durationMs, isStdOutTTY: false } };
  }

  private aggregate(series: Series, durationMs: number, stats?: string[]): Record<string, number> {
    const values = series.values;
    switch (series.type) {
      case "counter": {
        const count = values.reduce((sum, value) => sum + value, 0);
        return { count, rate: count / Math.max(0.001, durationMs / 1000) };
      }
      case "gauge":
        return {
          value: values[values.length - 1] ?? 0,
          min: values.length > 0 ? Math.min(...values) : 0,
          max: values.length > 0 ? Math.max(...values) : 0,
        };
      case "rate": {
        const passes = values.filter((value) => value !== 0).length;
        return {
          rate: values.length > 0 ? passes / values.length : 0,
          passes,
          fails: values.length - passes,
        };
      }
      case "trend": {
        const sorted = [...values].sort((a, b) => a - b);
        const result: Record<string, number> = {};
        for (const stat of stats ?? ["avg", "min", "med", "max", "p(90)", "p(99)", "p(99.9)"]) {
          const match = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
          if (match) result[stat] = percentile(sorted, Number(match[1]));
          else if (stat === "avg")
            result.avg = sorted.reduce((sum, value) => sum + value, 0) / Math.max(1, sorted.length);
          else if (stat === "min") result.min = sorted[0] ?? 0;
          else if (stat === "max") result.max = sorted[sorted.length - 1] ?? 0;
          else if (stat === "med") result.med = percentile(sorted, 50);
          else if (stat === "count") result.count = sorted.length;
        }
        return result;
      }
    }
  }
}
