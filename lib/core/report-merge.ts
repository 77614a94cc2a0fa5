// Merges the partial reports of a split run (execution segments: `--runners N`, `--segment i/N`, k6-operator
// runners) into the one report a single run would have given: counts add, HDR histograms merge, percentiles
// and thresholds are computed once on the merged data, so one verdict covers every runner. k6 itself cannot
// do this across distributed runners (each judges only its share).

import { checkSegmentCover } from "./execution-segment.js";
import { LatencyHistogram } from "./latency-histogram.js";
import { ReportMergeError } from "./report-merge-error.js";
import type {
  ChaosImpact,
  LatencySummary,
  PodFigures,
  Report,
  RunEvent,
  TimeSeriesPoint,
} from "./report-model.js";
import {
  buildReport,
  type MatrixCellInput,
  MatrixCellSum,
  nothingExpectedReason,
  PodRecorder,
} from "./run-recorder.js";

export { ReportMergeError };

export interface MergeOptions {
  /** Merge reports of different runs, profiles or engines, or segments that do not cover the run once. */
  force?: boolean;
}

function sourceName(index: number, sources: readonly string[] | undefined): string {
  return sources?.[index] ?? `report ${index + 1}`;
}

function checkSameRun(parts: readonly Report[], sources: readonly string[] | undefined): void {
  const first = parts[0];
  if (first === undefined) return;
  for (const [index, part] of parts.entries()) {
    for (const field of ["id", "profile", "engine", "accounting"] as const) {
      if (part.run[field] !== first.run[field]) {
        throw new ReportMergeError(
          `${sourceName(index, sources)}: run.${field} is "${part.run[field]}" but ${sourceName(0, sources)} has "${first.run[field]}"; these are not parts of one run (--force merges them anyway)`,
        );
      }
    }
  }
}

function podRecorderOf(figures: PodFigures, histograms: Report["histograms"], pod: string): PodRecorder {
  const encoded = histograms.pods?.[pod];
  if (encoded === undefined) {
    throw new ReportMergeError(
      `pod ${pod} has no histograms in its report (histograms.pods): it was written by a crosspod without them and cannot be merged exactly`,
    );
  }
  const recorder = new PodRecorder();
  Object.assign(recorder.connections, figures.connections);
  Object.assign(recorder.triggers, figures.triggers);
  recorder.delivery = { ...figures.delivery, lostSamples: [...figures.delivery.lostSamples] };
  recorder.fanout.merge(LatencyHistogram.decode(encoded.fanout));
  recorder.e2e.merge(LatencyHistogram.decode(encoded.e2e));
  recorder.reconnectTime.merge(LatencyHistogram.decode(encoded.reconnectTime));
  return recorder;
}

function mergePods(parts: readonly Report[]): Record<string, PodRecorder> {
  const pods: Record<string, PodRecorder> = {};
  for (const part of parts) {
    for (const [name, figures] of Object.entries(part.pods)) {
      const recorder = podRecorderOf(figures, part.histograms, name);
      const into = pods[name];
      if (into === undefined) pods[name] = recorder;
      else into.merge(recorder);
    }
  }
  return pods;
}

function mergeMatrix(parts: readonly Report[]): MatrixCellInput[] {
  const cells = new MatrixCellSum();
  for (const part of parts) {
    for (const cell of part.matrix) {
      if (cell.fanoutHistogram === undefined) {
        throw new ReportMergeError(
          `matrix cell ${cell.origin} -> ${cell.deliveredBy} has no fanoutHistogram and cannot be merged exactly`,
        );
      }
      cells.add(cell.origin, cell.deliveredBy, LatencyHistogram.decode(cell.fanoutHistogram), cell.received);
    }
  }
  return cells.values();
}

/** Seconds from the merged run's start to this part's start: every part's `t` is relative to its own start. */
function offsetSeconds(part: Report, startMs: number): number {
  return Math.max(0, (Date.parse(part.run.startedAt) - startMs) / 1000);
}

/**
 * Sums the parts' samples per second of the merged run. A second's fan-out p99 is the largest of the parts'
 * p99s: an upper bound of the true p99 of their union (no part has more than 1% above its own p99), and
 * the per-second series keeps no histograms to do better; the run's percentiles are exact.
 */
function mergeTimeSeries(parts: readonly Report[], startMs: number): TimeSeriesPoint[] {
  const seconds = new Map<number, TimeSeriesPoint>();
  for (const part of parts) {
    const offset = offsetSeconds(part, startMs);
    for (const point of part.timeSeries) {
      const t = Math.round(point.t + offset);
      const merged = seconds.get(t);
      if (merged === undefined) {
        seconds.set(t, { ...point, t });
        continue;
      }
      merged.connections += point.connections;
      merged.triggers += point.triggers;
      merged.framesPerSecond += point.framesPerSecond;
      merged.errors += point.errors;
      merged.fanoutP99Ms = Math.max(merged.fanoutP99Ms, point.fanoutP99Ms);
    }
  }
  return [...seconds.values()].sort((a, b) => a.t - b.t);
}

/** Every runner logs the same phases: one event per kind, name, target and detail within the same second. */
function mergeEvents(parts: readonly Report[], startMs: number): RunEvent[] {
  const events = new Map<string, RunEvent>();
  for (const part of parts) {
    const offset = offsetSeconds(part, startMs);
    for (const event of part.events) {
      const t = Math.round((event.t + offset) * 1000) / 1000;
      const key = [event.kind, event.name, event.target, event.detail, Math.round(t)].join("\u0000");
      if (!events.has(key)) events.set(key, { ...event, t });
    }
  }
  return [...events.values()].sort((a, b) => a.t - b.t);
}

/** Count-weighted mean and sums; percentiles are the larger of the two, an upper bound (see mergeTimeSeries). */
function upperBoundSummary(a: LatencySummary, b: LatencySummary): LatencySummary {
  const count = a.count + b.count;
  if (a.count === 0) return { ...b };
  if (b.count === 0) return { ...a };
  return {
    count,
    min: Math.min(a.min, b.min),
    mean: (a.mean * a.count + b.mean * b.count) / count,
    p50: Math.max(a.p50, b.p50),
    p90: Math.max(a.p90, b.p90),
    p99: Math.max(a.p99, b.p99),
    p999: Math.max(a.p999, b.p999),
    max: Math.max(a.max, b.max),
  };
}

/** One chaos action is seen by every runner, each for its own clients: add what they saw. */
function mergeChaos(parts: readonly Report[], startMs: number): ChaosImpact[] {
  const impacts = new Map<string, ChaosImpact>();
  for (const part of parts) {
    const offset = offsetSeconds(part, startMs);
    for (const impact of part.chaos) {
      const t = impact.t + offset;
      const key = [impact.action, impact.target, Math.round(t)].join("\u0000");
      const merged = impacts.get(key);
      if (merged === undefined) {
        impacts.set(key, { ...impact, t, fanoutP99Ms: { ...impact.fanoutP99Ms } });
        continue;
      }
      merged.clientsDisconnected += impact.clientsDisconnected;
      merged.missedWhileDisconnected += impact.missedWhileDisconnected;
      merged.recovered += impact.recovered;
      merged.lost += impact.lost;
      merged.duplicates += impact.duplicates;
      merged.outOfOrder += impact.outOfOrder;
      merged.historyLost ||= impact.historyLost;
      merged.reconnectTime = upperBoundSummary(merged.reconnectTime, impact.reconnectTime);
      for (const window of ["before", "during", "after"] as const) {
        merged.fanoutP99Ms[window] = Math.max(merged.fanoutP99Ms[window], impact.fanoutP99Ms[window]);
      }
    }
  }
  return [...impacts.values()].sort((a, b) => a.t - b.t);
}

function mergeBrowser(parts: readonly Report[]): Report["browser"] {
  let merged: Report["browser"];
  for (const { browser } of parts) {
    if (browser === undefined) continue;
    if (merged === undefined) {
      merged = structuredClone(browser);
      continue;
    }
    merged.pages += browser.pages;
    for (const key of ["renderLatency", "pageDelay"] as const) {
      for (const [pod, summary] of Object.entries(browser[key])) {
        const into = merged[key][pod];
        merged[key][pod] = into === undefined ? { ...summary } : upperBoundSummary(into, summary);
      }
    }
    merged.pageErrors = [...merged.pageErrors, ...browser.pageErrors].slice(0, 20);
  }
  return merged;
}

/** The union of the parts' threshold expressions, in first-seen order, as the spec to judge the merge by. */
function thresholdSpec(parts: readonly Report[]): Record<string, string[]> {
  const spec: Record<string, string[]> = {};
  for (const part of parts) {
    for (const { metric, expression } of part.thresholds) {
      const expressions = spec[metric] ?? [];
      if (!expressions.includes(expression)) expressions.push(expression);
      spec[metric] = expressions;
    }
  }
  return spec;
}

function mergeRun(parts: readonly Report[], startMs: number, segments: string[]): Report["run"] {
  const [first] = parts as [Report, ...Report[]];
  const endMs = Math.max(...parts.map((part) => Date.parse(part.run.endedAt)));
  const targets = new Map<string, string>();
  for (const part of parts) for (const { pod, url } of part.run.targets) targets.set(pod, url);
  const deliveries = new Set(parts.map((part) => part.run.delivery));
  return {
    ...first.run,
    startedAt: new Date(startMs).toISOString(),
    endedAt: new Date(endMs).toISOString(),
    durationSeconds: Math.max(...parts.map((part) => part.run.durationSeconds)),
    targets: [...targets].map(([pod, url]) => ({ pod, url })),
    delivery: deliveries.size === 1 ? first.run.delivery : "unknown",
    settings: { ...first.run.settings },
    ...(segments.length > 0 ? { segments } : {}),
  };
}

/**
 * Merges partial reports into one. Throws ReportMergeError when they are not parts of one run, when a
 * segment is missing or given twice, or when a part lacks the histograms an exact merge needs.
 */
export function mergeReports(
  parts: readonly Report[],
  options: MergeOptions = {},
  sources?: readonly string[],
): Report {
  if (parts.length === 0) throw new ReportMergeError("no reports to merge");
  if (!options.force) checkSameRun(parts, sources);
  const segments = parts.flatMap((part) => part.run.segments ?? []);
  if (!options.force && segments.length > 0) checkSegmentCover(segments);
  const startMs = Math.min(...parts.map((part) => Date.parse(part.run.startedAt)));
  const validityReasons = parts.flatMap((part, index) =>
    part.validity.reasons
      .filter((reason) => reason !== nothingExpectedReason)
      .map((reason) => `${part.run.segments?.join("+") ?? sourceName(index, sources)}: ${reason}`),
  );
  const drift = parts.find((part) => part.drift !== undefined)?.drift;
  const report = buildReport({
    run: mergeRun(parts, startMs, segments),
    pods: mergePods(parts),
    matrix: mergeMatrix(parts),
    timeSeries: mergeTimeSeries(parts, startMs),
    events: mergeEvents(parts, startMs),
    chaos: mergeChaos(parts, startMs),
    thresholds: thresholdSpec(parts),
    validityReasons,
    // Every runner samples the same pods and Redis over the same trigger phase: one drift section serves.
    ...(drift ? { drift } : {}),
  });
  const browser = mergeBrowser(parts);
  return browser === undefined ? report : { ...report, browser };
}
