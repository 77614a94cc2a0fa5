// Which figures the per-pod and chaos tables show, in what order and how each is judged. Shared by
// the console and HTML renderers so both show the same rows with the same meaning.
import type { ChaosImpact, LatencySummary, PhaseFigures, PodFigures, Report } from "../core/report-model.js";
import { formatCount, formatMs, formatRunTime } from "./figure-format.js";

/** count: plain; ms: latency; bad: non-zero is a correctness failure; warn: non-zero needs a look. */
export type FigureKind = "count" | "ms" | "bad" | "warn";

export interface PodRow {
  label: string;
  /** null when the figure does not exist (a latency with no samples). */
  read: (figures: PodFigures) => number | null;
  kind: FigureKind;
}

export interface PodRowGroup {
  section: string;
  rows: PodRow[];
}

const sampled = (summary: LatencySummary, value: number): number | null => (summary.count > 0 ? value : null);

const latencyRows = (pick: (figures: PodFigures) => LatencySummary): PodRow[] => [
  { label: "p50", read: (f) => sampled(pick(f), pick(f).p50), kind: "ms" },
  { label: "p90", read: (f) => sampled(pick(f), pick(f).p90), kind: "ms" },
  { label: "p99", read: (f) => sampled(pick(f), pick(f).p99), kind: "ms" },
  { label: "p99.9", read: (f) => sampled(pick(f), pick(f).p999), kind: "ms" },
  { label: "max", read: (f) => sampled(pick(f), pick(f).max), kind: "ms" },
];

export const podRowGroups: PodRowGroup[] = [
  {
    section: "Connections",
    rows: [
      { label: "opened", read: (f) => f.connections.opened, kind: "count" },
      { label: "failed", read: (f) => f.connections.failed, kind: "warn" },
      { label: "peak open", read: (f) => f.connections.peak, kind: "count" },
      { label: "reconnects", read: (f) => f.connections.reconnects, kind: "count" },
      {
        label: "reconnect time p99 (ms)",
        read: (f) => sampled(f.reconnectTime, f.reconnectTime.p99),
        kind: "ms",
      },
    ],
  },
  {
    section: "Triggers",
    rows: [
      { label: "accepted", read: (f) => f.triggers.accepted, kind: "count" },
      { label: "failed", read: (f) => f.triggers.failed, kind: "warn" },
    ],
  },
  {
    section: "Delivery (frames)",
    rows: [
      { label: "expected", read: (f) => f.delivery.expected, kind: "count" },
      { label: "received", read: (f) => f.delivery.received, kind: "count" },
      { label: "lost", read: (f) => f.delivery.lost, kind: "bad" },
      { label: "out of order", read: (f) => f.delivery.outOfOrder, kind: "bad" },
      { label: "duplicates", read: (f) => f.delivery.duplicates, kind: "bad" },
      { label: "missed while disconnected", read: (f) => f.delivery.missedWhileDisconnected, kind: "warn" },
      { label: "recovered after resume", read: (f) => f.delivery.recovered, kind: "count" },
      { label: "history resets", read: (f) => f.delivery.resets, kind: "warn" },
    ],
  },
  { section: "Fan-out latency (ms, published → received)", rows: latencyRows((f) => f.fanout) },
  { section: "End-to-end latency (ms, trigger sent → received)", rows: latencyRows((f) => f.e2e) },
];

export function formatFigure(value: number | null, kind: FigureKind): string {
  if (value === null) return "–";
  return kind === "ms" ? formatMs(value) : formatCount(value);
}

/** How loudly to show a figure: "bad" and "warn" kinds only when non-zero. */
export function figureSeverity(value: number | null, kind: FigureKind): "bad" | "warn" | null {
  if (value === null || value === 0) return null;
  return kind === "bad" || kind === "warn" ? kind : null;
}

export interface ChaosRow {
  label: string;
  read: (impact: ChaosImpact) => string;
  /** True when the figure is a correctness failure for this event. */
  bad?: (impact: ChaosImpact) => boolean;
}

function rejoinTime(seconds: number | null): string {
  return seconds === null ? "never" : `+${seconds.toFixed(1)} s`;
}

export const chaosRows: ChaosRow[] = [
  // The schedule counts from the first trigger; run time also holds the ramp and the connect barrier.
  {
    label: "scheduled (from first trigger)",
    read: (c) => (c.scheduledAt === undefined ? "–" : `@${formatRunTime(c.scheduledAt)}`),
  },
  { label: "at (run time)", read: (c) => formatRunTime(c.t) },
  { label: "clients disconnected", read: (c) => formatCount(c.clientsDisconnected) },
  {
    label: "time to reconnect p50/p99/max (ms)",
    read: (c) =>
      c.reconnectTime.count > 0
        ? `${formatMs(c.reconnectTime.p50)} / ${formatMs(c.reconnectTime.p99)} / ${formatMs(c.reconnectTime.max)}`
        : "–",
  },
  { label: "missed while disconnected", read: (c) => formatCount(c.missedWhileDisconnected) },
  { label: "recovered after resume", read: (c) => formatCount(c.recovered) },
  { label: "lost", read: (c) => formatCount(c.lost), bad: (c) => c.lost > 0 },
  { label: "duplicates", read: (c) => formatCount(c.duplicates), bad: (c) => c.duplicates > 0 },
  { label: "out of order", read: (c) => formatCount(c.outOfOrder), bad: (c) => c.outOfOrder > 0 },
  {
    label: "fan-out p99 before/during/after (ms)",
    read: (c) =>
      `${formatMs(c.fanoutP99Ms.before)} / ${formatMs(c.fanoutP99Ms.during)} / ${formatMs(c.fanoutP99Ms.after)}`,
  },
  { label: "history lost", read: (c) => (c.historyLost ? "yes" : "no"), bad: (c) => c.historyLost },
  {
    label: "served again: first trigger / client",
    read: (c) =>
      c.rejoined === undefined
        ? "–"
        : `${rejoinTime(c.rejoined.firstTriggerSeconds)} / ${rejoinTime(c.rejoined.firstClientSeconds)}`,
    bad: (c) =>
      c.rejoined !== undefined &&
      (c.rejoined.firstTriggerSeconds === null || c.rejoined.firstClientSeconds === null),
  },
];

/** Rows of the per-phase table (chaos runs): what `{phase:…}` thresholds judge. */
export const phaseRows: { label: string; read: (phase: PhaseFigures) => string }[] = [
  { label: "time (s)", read: (p) => p.seconds.toFixed(1) },
  {
    label: "triggers sent / failed",
    read: (p) => `${formatCount(p.triggers.sent)} / ${formatCount(p.triggers.failed)}`,
  },
  { label: "frames expected", read: (p) => formatCount(p.delivery.expected) },
  { label: "lost", read: (p) => formatCount(p.delivery.lost) },
  { label: "missed while disconnected", read: (p) => formatCount(p.delivery.missedWhileDisconnected) },
  {
    label: "fan-out p50 / p99 / max (ms)",
    read: (p) =>
      p.fanout.count > 0
        ? `${formatMs(p.fanout.p50)} / ${formatMs(p.fanout.p99)} / ${formatMs(p.fanout.max)}`
        : "–",
  },
];

/** The phases a report measured, in order. */
export function reportPhases(report: Report): [string, PhaseFigures][] {
  const phases = report.phases ?? {};
  return (["steady", "fault", "recovery"] as const).flatMap((name) => {
    const figures = phases[name];
    return figures ? [[name, figures] as [string, PhaseFigures]] : [];
  });
}
