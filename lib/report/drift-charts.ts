// The HTML report's drift plots: each pod's RSS over the run and fan-out p99 per window, with the steady
// phase's start marked, so a reader sees whether a slope is a steady climb or one step.
import type { DriftFigures } from "../core/drift-figures.js";
import type { Report } from "../core/report-model.js";
import { timeTicks } from "./axis-ticks.js";
import { formatDuration } from "./figure-format.js";
import type { ReportChart } from "./report-charts.js";
import type { XY } from "./series-downsample.js";
import { type ChartMarker, renderLineChart } from "./svg-chart.js";

const podColors = ["#2563eb", "#9333ea", "#0d9488", "#d97706", "#dc2626", "#0369a1", "#65a30d", "#db2777"];

export function driftCharts(report: Report, drift: DriftFigures): ReportChart[] {
  const end = Math.max(report.run.durationSeconds, 1);
  const markers: ChartMarker[] =
    drift.steady === null
      ? []
      : [{ x: drift.steady.from, badge: "S", title: "steady phase begins (warm-up over)", color: "#64748b" }];
  const rss = renderLineChart({
    title: "Pod RSS",
    xLabel: "run time (m:ss)",
    yLabel: "RSS (MiB)",
    xDomain: [0, end],
    xTicks: timeTicks(end),
    series: Object.entries(drift.pods).map(([pod, figures], index) => ({
      name: pod,
      color: podColors[index % podColors.length] as string,
      points: figures.rssSeries.map(([t, mib]): XY => [t, mib]),
    })),
    markers,
    emptyMessage: "no RSS sampled",
    width: 540,
    height: 260,
  });
  const p99 = renderLineChart({
    title: "Fan-out p99 per window",
    xLabel: "run time (m:ss)",
    yLabel: "p99 (ms)",
    xDomain: [0, end],
    xTicks: timeTicks(end),
    series: [
      {
        name: "fan-out p99",
        color: "#2563eb",
        dots: true,
        points: drift.fanoutWindows.filter((w) => w.count > 0).map((w): XY => [w.t, w.p99Ms]),
      },
    ],
    describePoint: (_series, point) => `window at ${formatDuration(point[0])}: ${point[1].toFixed(2)} ms`,
    markers,
    emptyMessage: "no full window",
    width: 540,
    height: 260,
  });
  return [
    {
      id: "chart-drift-rss",
      title: "Pod RSS",
      caption: "Sampled from each pod's /metrics; S marks where the steady phase begins.",
      svg: rss,
    },
    {
      id: "chart-drift-p99",
      title: "Fan-out p99 per window",
      caption: `Windows of ${formatDuration(drift.windowSeconds)}, plotted at their start.`,
      svg: p99,
    },
  ];
}
