// The drift section's rows, shared by the console and HTML renderers: one column per pod plus Redis, slopes
// per hour over the steady phase with the last value beside them, and the fan-out p99 windows in one line.
import type { DriftFigures, PodDrift } from "../core/drift-figures.js";
import { formatCompact, formatDuration, formatMs } from "./figure-format.js";

export interface DriftRow {
  label: string;
  read: (pod: PodDrift) => string;
}

/** "+3.2 MiB/h (41 MiB)": the slope, signed, and the last value it ends at. */
export function formatSlope(slope: number | null, last: number | null, unit: string): string {
  if (slope === null) return "–";
  const signed = `${slope >= 0 ? "+" : "−"}${formatCompact(Math.abs(slope))} ${unit}/h`;
  return last === null ? signed : `${signed} (${formatCompact(last)} ${unit})`;
}

export const driftRows: readonly DriftRow[] = [
  { label: "RSS", read: (p) => formatSlope(p.rssMiBPerHour, p.last.rssMiB, "MiB") },
  { label: "heap used", read: (p) => formatSlope(p.heapMiBPerHour, p.last.heapMiB, "MiB") },
  {
    label: "event-loop lag p99",
    read: (p) => formatSlope(p.eventLoopLagMsPerHour, p.last.eventLoopLagMs, "ms"),
  },
  {
    label: "open connections",
    read: (p) => formatSlope(p.connectionsPerHour, p.last.connections, "conn"),
  },
  { label: "samples", read: (p) => String(p.samples) },
];

/** The Redis lines, empty when Redis was not sampled. */
export function redisDriftLines(drift: DriftFigures): string[] {
  const redis = drift.redis;
  if (redis === null) return [];
  return [
    `redis memory ${formatSlope(redis.memoryMiBPerHour, redis.last.memoryMiB, "MiB")}`,
    `redis stream length ${formatSlope(redis.streamLengthPerHour, redis.last.streamLength, "entries")}`,
  ];
}

/** One line on what the figures rest on: warm-up, steady span, windows, sampling. */
export function driftBasis(drift: DriftFigures): string {
  const steady =
    drift.steady === null
      ? "the run ended inside its warm-up: no slopes"
      : `steady ${formatDuration(drift.steady.from)} → ${formatDuration(drift.steady.to)}`;
  const errors = drift.sampleErrors > 0 ? ` · ${drift.sampleErrors} samples failed` : "";
  return `warm-up ${formatDuration(drift.warmupSeconds)} · ${steady} · sampled every ${formatDuration(drift.sampleIntervalSeconds)} · p99 windows of ${formatDuration(drift.windowSeconds)}${errors}`;
}

/** "fan-out p99 drift ×1.08 (first 2.31 ms → last 2.49 ms, 8 windows)". */
export function fanoutDriftLine(drift: DriftFigures): string {
  const steadyFrom = drift.steady?.from ?? Number.POSITIVE_INFINITY;
  const steady = drift.fanoutWindows.filter((w) => w.t >= steadyFrom && w.count > 0);
  const first = steady[0];
  const last = steady[steady.length - 1];
  if (drift.fanoutP99Drift === null || first === undefined || last === undefined) {
    return `fan-out p99 drift: – (${steady.length} steady windows with frames; two are needed)`;
  }
  return `fan-out p99 drift ×${drift.fanoutP99Drift.toFixed(2)} (first ${formatMs(first.p99Ms)} ms → last ${formatMs(last.p99Ms)} ms, ${steady.length} steady windows)`;
}
