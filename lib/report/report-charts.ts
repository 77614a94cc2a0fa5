// The HTML report's plots, built from a Report: fan-out and e2e percentile curves from the summary
// points, and per-second series (fan-out p99, frames/s, connections, triggers and errors) with the
// run's events as numbered markers on every time axis.
import type { LatencySummary, Report, RunEvent, TimeSeriesPoint } from "../core/report-model.js";
import { type Tick, timeTicks } from "./axis-ticks.js";
import { formatCount, formatMs, formatRunTime } from "./figure-format.js";
import type { XY } from "./series-downsample.js";
import { type ChartMarker, type ChartSeries, renderLineChart } from "./svg-chart.js";

export const palette = {
  fanout: "#2563eb",
  e2e: "#9333ea",
  frames: "#0d9488",
  connections: "#0369a1",
  triggers: "#d97706",
  errors: "#dc2626",
} as const;

export const eventColors: Record<RunEvent["kind"], string> = {
  chaos: "#dc2626",
  error: "#ea580c",
  reset: "#a16207",
  phase: "#64748b",
  info: "#2563eb",
};

export interface ReportChart {
  id: string;
  title: string;
  caption: string;
  svg: string;
}

/**
 * Percentiles sit on a log scale of 1/(1-p) as in HDR histogram plots, so the tail gets the room:
 * p50 at log10(2), p90 at 1, p99 at 2, p99.9 at 3; min at 0 and max one step past p99.9.
 */
const percentilePoints: Array<{ label: string; x: number; read: (summary: LatencySummary) => number }> = [
  { label: "min", x: 0, read: (s) => s.min },
  { label: "p50", x: Math.log10(2), read: (s) => s.p50 },
  { label: "p90", x: 1, read: (s) => s.p90 },
  { label: "p99", x: 2, read: (s) => s.p99 },
  { label: "p99.9", x: 3, read: (s) => s.p999 },
  { label: "max", x: 4, read: (s) => s.max },
];

/** Events numbered in time order; the same numbers label the markers and the events table. */
export function numberedEvents(report: Report): Array<RunEvent & { number: number }> {
  return [...report.events]
    .sort((a, b) => a.t - b.t)
    .map((event, index) => ({ ...event, number: index + 1 }));
}

export function eventSummary(event: RunEvent): string {
  const target = event.target === undefined ? "" : ` ${event.target}`;
  const detail = event.detail === undefined ? "" : ` (${event.detail})`;
  return `${event.kind}: ${event.name}${target}${detail} at ${formatRunTime(event.t)}`;
}

/**
 * Turns counts since the previous point into per-second rates. A blocked generator samples late (seen: points
 * 1.5–3.4 s apart), so dividing by the real interval keeps the plot a rate rather than a count.
 */
export function countsPerSecond(
  points: readonly TimeSeriesPoint[],
  read: (p: TimeSeriesPoint) => number,
): XY[] {
  return points.map((p, i): XY => {
    const intervalSeconds = p.t - (i > 0 ? (points[i - 1]?.t ?? 0) : 0);
    return [p.t, intervalSeconds > 0 ? read(p) / intervalSeconds : read(p)];
  });
}

export function reportCharts(report: Report): ReportChart[] {
  return [percentileChart(report), ...timeCharts(report)];
}

function percentileChart(report: Report): ReportChart {
  const curve = (name: string, color: string, summary: LatencySummary): ChartSeries => ({
    name,
    color,
    dots: true,
    points: summary.count > 0 ? percentilePoints.map((p): XY => [p.x, p.read(summary)]) : [],
  });
  const labelAt = new Map(percentilePoints.map((p) => [p.x, p.label]));
  const svg = renderLineChart({
    title: "Latency by percentile",
    xLabel: "percentile (log scale of 1 / (1 − p))",
    yLabel: "latency (ms)",
    xDomain: [0, 4],
    xTicks: percentilePoints.map((p): Tick => ({ value: p.x, label: p.label })),
    series: [
      curve("fan-out", palette.fanout, report.overall.fanout),
      curve("end-to-end", palette.e2e, report.overall.e2e),
    ],
    describePoint: (series, point) =>
      `${series.name} ${labelAt.get(point[0]) ?? ""}: ${formatMs(point[1])} ms`,
    emptyMessage: "no latency samples",
    width: 1080,
    height: 300,
  });
  return {
    id: "chart-percentiles",
    title: "Latency by percentile",
    caption: `All connections: fan-out is published → received (${formatCount(report.overall.fanout.count)} samples), end-to-end is trigger sent → received. Hover a point for its value.`,
    svg,
  };
}

function timeCharts(report: Report): ReportChart[] {
  const points = report.timeSeries;
  const lastT = points.length > 0 ? (points[points.length - 1]?.t ?? 0) : 0;
  const end = Math.max(report.run.durationSeconds, lastT, ...report.events.map((event) => event.t), 1);
  const ticks = timeTicks(end);
  const markers: ChartMarker[] = numberedEvents(report).map((event) => ({
    x: event.t,
    badge: String(event.number),
    title: `#${event.number} ${eventSummary(event)}`,
    color: eventColors[event.kind],
  }));
  const series = (
    name: string,
    color: string,
    read: (p: (typeof points)[number]) => number,
    area = false,
  ) => ({
    name,
    color,
    area,
    points: points.map((p): XY => [p.t, read(p)]),
  });
  const rateSeries = (name: string, color: string, read: (p: TimeSeriesPoint) => number) => ({
    name,
    color,
    area: false,
    points: countsPerSecond(points, read),
  });
  const chart = (
    id: string,
    title: string,
    yLabel: string,
    caption: string,
    s: ChartSeries[],
  ): ReportChart => ({
    id,
    title,
    caption,
    svg: renderLineChart({
      title,
      xLabel: "run time (m:ss)",
      yLabel,
      xDomain: [0, end],
      xTicks: ticks,
      series: s,
      markers,
      emptyMessage: "no time series recorded",
      width: 540,
      height: 260,
    }),
  });
  return [
    chart("chart-latency-over-time", "Fan-out p99 over time", "p99 (ms)", "Per second.", [
      series("fan-out p99", palette.fanout, (p) => p.fanoutP99Ms, true),
    ]),
    chart("chart-frames", "Frames received per second", "frames/s", "All connections together.", [
      series("frames/s", palette.frames, (p) => p.framesPerSecond, true),
    ]),
    chart("chart-connections", "Open connections", "connections", "Sampled each second.", [
      series("connections", palette.connections, (p) => p.connections, true),
    ]),
    chart(
      "chart-triggers",
      "Triggers and errors per second",
      "per second",
      "Errors: connect and trigger failures.",
      [
        rateSeries("triggers/s", palette.triggers, (p) => p.triggers),
        rateSeries("errors/s", palette.errors, (p) => p.errors),
      ],
    ),
  ];
}
