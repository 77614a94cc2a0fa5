// The live dashboard's content for one update: the figures line per pod and the charts, drawn on the
// server with the HTML report's own SVG chart code (lib/report/svg-chart.ts), so the page needs no
// charting library and no CDN; it only swaps the markup it receives.
import { timeTicks } from "../../report/axis-ticks.js";
import { formatCount, formatMs } from "../../report/figure-format.js";
import { eventColors } from "../../report/report-charts.js";
import type { XY } from "../../report/series-downsample.js";
import { type ChartMarker, type ChartSeries, renderLineChart } from "../../report/svg-chart.js";
import type { DashboardState, PodSeries } from "./dashboard-state.js";

const podColors = ["#2563eb", "#d97706", "#0d9488", "#9333ea", "#dc2626", "#0369a1", "#65a30d", "#db2777"];

export interface DashboardUpdate {
  /** e.g. "12s/30s trigger · conns 300/300 · triggers 240/600 · errors 0". */
  status: string;
  pods: Array<{ pod: string; text: string }>;
  charts: Array<{ id: string; title: string; svg: string }>;
  markers: number;
}

function chart(
  state: DashboardState,
  id: string,
  title: string,
  yLabel: string,
  pick: (series: PodSeries) => XY[],
  end: number,
): { id: string; title: string; svg: string } {
  const series: ChartSeries[] = [...state.pods.entries()].map(([pod, podSeries], index) => ({
    name: pod,
    color: podColors[index % podColors.length] as string,
    points: pick(podSeries),
  }));
  const markers: ChartMarker[] = state.markers.map((marker, index) => ({
    x: marker.t,
    badge: String(index + 1),
    title: `#${index + 1} ${marker.action} ${marker.target}`,
    color: eventColors.chaos,
  }));
  const svg = renderLineChart({
    title,
    xLabel: "run time (s)",
    yLabel,
    xDomain: [0, end],
    xTicks: timeTicks(end),
    series,
    markers,
    emptyMessage: "waiting for the first frames",
    width: 760,
    height: 240,
  });
  return { id, title, svg };
}

export function dashboardUpdate(state: DashboardState, nowMs: number): DashboardUpdate {
  const end = Math.max(state.elapsedSeconds(nowMs), state.progress?.totalSeconds ?? 0, 1);
  const progress = state.progress;
  const status = progress
    ? [
        `${progress.elapsedSeconds.toFixed(0)}s/${progress.totalSeconds.toFixed(0)}s ${progress.phase}`,
        `connections ${formatCount(progress.connections)}/${formatCount(progress.targetConnections)}`,
        `triggers ${formatCount(progress.triggersAccepted)}/${formatCount(progress.triggersTotal)}`,
        `frames/s ${formatCount(Math.round(progress.framesPerSecond))}`,
        `errors ${formatCount(progress.errors)}`,
      ].join(" · ")
    : "starting";
  const pods = state.latest.map((pod) => ({
    pod: pod.pod,
    text: [
      `${formatCount(pod.connections)} connections`,
      `${formatCount(Math.round(pod.framesPerSecond))} frames/s`,
      `fan-out p50 ${pod.fanoutP50Ms === undefined ? "–" : `${formatMs(pod.fanoutP50Ms)} ms`}`,
      `p99 ${pod.fanoutP99Ms === undefined ? "–" : `${formatMs(pod.fanoutP99Ms)} ms`}`,
      `${formatCount(pod.lost)} lost`,
    ].join(" · "),
  }));
  return {
    status,
    pods,
    markers: state.markers.length,
    charts: [
      chart(state, "fanout-p99", "Fan-out p99 per pod", "ms", (s) => s.fanoutP99, end),
      chart(state, "fanout-p50", "Fan-out p50 per pod", "ms", (s) => s.fanoutP50, end),
      chart(state, "frames", "Frames per second per pod", "frames/s", (s) => s.framesPerSecond, end),
      chart(state, "connections", "Connections per pod", "connections", (s) => s.connections, end),
    ],
  };
}
