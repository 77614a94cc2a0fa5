// The object k6 passes to handleSummary (@types/k6 does not describe it): aggregated metrics with their
// threshold results, the test state, and setup()'s result. Only the fields crosspod reads.

export interface K6SummaryMetric {
  type: "counter" | "gauge" | "rate" | "trend";
  contains: "default" | "time" | "data";
  /** counter: count, rate; gauge: value, min, max; rate: rate, passes, fails; trend: the summaryTrendStats. */
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface K6SummaryData {
  metrics: Record<string, K6SummaryMetric>;
  state: { testRunDurationMs: number; isStdOutTTY?: boolean; isStdErrTTY?: boolean };
  setup_data?: unknown;
}
