// Baseline vs candidate for release gates: the figures side by side (fan-out p50/p99 per pod and overall,
// loss, reconnect time, drift slopes) and the regressions beyond the limits: p99 up by more than a share,
// any new loss, a drift slope more than a ratio of the baseline's. Pure: the CLI reads files and exits.
import { type DriftFigures, worstPodSlope } from "./drift-figures.js";
import type { Report } from "./report-model.js";

export interface CompareLimits {
  /** Largest allowed growth of a fan-out p99, as a fraction: 0.2 = +20 %. */
  p99Increase: number;
  /** Whether the candidate may lose frames the baseline did not. */
  allowNewLoss: boolean;
  /** Largest allowed candidate/baseline ratio of a drift slope. */
  slopeRatio: number;
  /**
   * Slopes below this (per hour, in the slope's unit) are noise, never a regression: a baseline at
   * +0.1 MiB/h must not fail a candidate at +0.3 MiB/h.
   */
  slopeFloor: number;
}

export const defaultCompareLimits: CompareLimits = {
  p99Increase: 0.2,
  allowNewLoss: false,
  slopeRatio: 2,
  slopeFloor: 1,
};

export interface CompareRow {
  /** "fan-out p99 · pod-a", "lost", "pod RSS slope". */
  label: string;
  unit: "ms" | "count" | "MiB/h" | "ms/h" | "ratio";
  baseline: number | null;
  candidate: number | null;
  /** Set when this row regressed beyond the limits: why. */
  regression?: string;
}

export interface ReportComparison {
  rows: CompareRow[];
  regressions: string[];
  /** Why the two runs are not like for like (profile, engine); comparing needs --force then. */
  mismatches: string[];
}

function latencyRows(baseline: Report, candidate: Report): CompareRow[] {
  const pods = [...new Set([...Object.keys(baseline.pods), ...Object.keys(candidate.pods)])].sort();
  const rows: CompareRow[] = [];
  const summary = (report: Report, pod: string | undefined) =>
    pod === undefined ? report.overall.fanout : report.pods[pod]?.fanout;
  for (const pod of [...pods, undefined]) {
    const where = pod ?? "overall";
    for (const key of ["p50", "p99"] as const) {
      const base = summary(baseline, pod);
      const cand = summary(candidate, pod);
      rows.push({
        label: `fan-out ${key} · ${where}`,
        unit: "ms",
        baseline: base && base.count > 0 ? base[key] : null,
        candidate: cand && cand.count > 0 ? cand[key] : null,
      });
    }
  }
  return rows;
}

function driftRows(baseline: DriftFigures | undefined, candidate: DriftFigures | undefined): CompareRow[] {
  if (baseline === undefined && candidate === undefined) return [];
  const slope = (
    label: string,
    unit: CompareRow["unit"],
    read: (drift: DriftFigures) => number | null,
  ): CompareRow => ({
    label,
    unit,
    baseline: baseline ? read(baseline) : null,
    candidate: candidate ? read(candidate) : null,
  });
  return [
    slope("pod RSS slope (worst pod)", "MiB/h", (d) => worstPodSlope(d, "rssMiBPerHour")),
    slope("pod heap slope (worst pod)", "MiB/h", (d) => worstPodSlope(d, "heapMiBPerHour")),
    slope("pod event-loop lag slope (worst pod)", "ms/h", (d) => worstPodSlope(d, "eventLoopLagMsPerHour")),
    slope("redis memory slope", "MiB/h", (d) => d.redis?.memoryMiBPerHour ?? null),
    slope("fan-out p99 drift (last/first window)", "ratio", (d) => d.fanoutP99Drift),
  ];
}

function judge(row: CompareRow, limits: CompareLimits): string | undefined {
  const { baseline, candidate } = row;
  if (baseline === null || candidate === null) return undefined;
  if (row.label.startsWith("fan-out p99 ·")) {
    const bound = baseline * (1 + limits.p99Increase);
    if (candidate > bound) {
      return `${row.label} ${fmt(candidate)} ms > ${fmt(baseline)} ms + ${fmt(limits.p99Increase * 100)}%`;
    }
  }
  if (row.label === "lost" && !limits.allowNewLoss && candidate > baseline) {
    return `lost ${candidate} frames (baseline ${baseline}): new loss`;
  }
  if (row.unit === "MiB/h" || row.unit === "ms/h") {
    const bound = Math.max(baseline, 0) * limits.slopeRatio;
    if (candidate > limits.slopeFloor && candidate > bound) {
      return `${row.label} ${fmt(candidate)} ${row.unit} > ${limits.slopeRatio}× the baseline's ${fmt(baseline)} ${row.unit}`;
    }
  }
  // The p99 drift is a ratio around 1: doubled means above twice the baseline's (or twice 1, if lower).
  if (row.unit === "ratio" && candidate > Math.max(baseline, 1) * limits.slopeRatio) {
    return `${row.label} ×${fmt(candidate)} > ${limits.slopeRatio}× the baseline's ×${fmt(baseline)}`;
  }
  return undefined;
}

function fmt(value: number): string {
  return String(Number(value.toPrecision(4)));
}

export function compareReports(
  baseline: Report,
  candidate: Report,
  limits: CompareLimits = defaultCompareLimits,
): ReportComparison {
  const mismatches: string[] = [];
  if (baseline.run.profile !== candidate.run.profile) {
    mismatches.push(`profiles differ: baseline ${baseline.run.profile}, candidate ${candidate.run.profile}`);
  }
  if (baseline.run.engine !== candidate.run.engine) {
    mismatches.push(`engines differ: baseline ${baseline.run.engine}, candidate ${candidate.run.engine}`);
  }
  const reconnect = (report: Report) =>
    report.overall.reconnectTime.count > 0 ? report.overall.reconnectTime.p99 : null;
  const rows: CompareRow[] = [
    ...latencyRows(baseline, candidate),
    {
      label: "lost",
      unit: "count",
      baseline: baseline.overall.delivery.lost,
      candidate: candidate.overall.delivery.lost,
    },
    {
      label: "missed while disconnected",
      unit: "count",
      baseline: baseline.overall.delivery.missedWhileDisconnected,
      candidate: candidate.overall.delivery.missedWhileDisconnected,
    },
    {
      label: "reconnect time p99",
      unit: "ms",
      baseline: reconnect(baseline),
      candidate: reconnect(candidate),
    },
    ...driftRows(baseline.drift, candidate.drift),
  ];
  const regressions: string[] = [];
  for (const row of rows) {
    const why = judge(row, limits);
    if (why === undefined) continue;
    row.regression = why;
    regressions.push(why);
  }
  return { rows, regressions, mismatches };
}
