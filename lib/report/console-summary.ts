// The end-of-run console summary: run header, a per-pod and overall table, the origin -> deliverer
// matrix, chaos impact, thresholds with ✓/✗, validity and a one-line verdict. Pure string output with
// no Node APIs, so k6's handleSummary can print it too.
import type { ChaosImpact, LatencySummary, PodFigures, Report } from "../core/report-model.js";
import { type AnsiStyle, ansiStyle } from "./ansi-style.js";
import { formatCount, formatDuration, formatMs, formatRunTime } from "./figure-format.js";
import { reportVerdict } from "./report-verdict.js";
import { renderTextTable, type TextTableRow } from "./text-table.js";
import { formatThresholdActual } from "./threshold-display.js";

export interface ConsoleSummaryOptions {
  /** ANSI colors; off by default so the text is the same in a file, a pipe or CI. */
  color?: boolean;
}

/** Columns per table before it wraps into another table, to stay within a terminal's width. */
const maxColumnsPerTable = 6;

export function renderConsoleSummary(report: Report, options: ConsoleSummaryOptions = {}): string {
  const style = ansiStyle(options.color ?? false);
  const sections = [
    runHeader(report, style),
    podSection(report, style),
    matrixSection(report, style),
    chaosSection(report, style),
    thresholdSection(report, style),
    validityLine(report, style),
    verdictSection(report, style),
  ];
  return `${sections
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.join("\n"))
    .join("\n\n")}\n`;
}

function runHeader(report: Report, style: AnsiStyle): string[] {
  const run = report.run;
  const settings = Object.entries(run.settings)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(" ");
  const lines = [
    `${style.bold(`crosspod ${run.profile}`)} · run ${run.id} · ${run.engine} engine · delivery ${run.delivery} · accounting ${run.accounting}`,
    `${run.startedAt} → ${run.endedAt} (${formatDuration(run.durationSeconds)})`,
  ];
  if (run.targets.length > 0) {
    lines.push(`targets: ${run.targets.map((target) => `${target.pod} ${target.url}`).join(", ")}`);
  }
  if (settings.length > 0) lines.push(style.dim(`settings: ${settings}`));
  return lines;
}

/** `read` returns null when the figure does not exist (a latency with no samples). */
type PodRow = [
  label: string,
  read: (figures: PodFigures) => number | null,
  kind: "count" | "ms" | "bad" | "warn",
];

const sampled = (summary: LatencySummary, value: number): number | null => (summary.count > 0 ? value : null);

const latencyRows = (pick: (figures: PodFigures) => LatencySummary): PodRow[] => [
  ["p50", (f) => sampled(pick(f), pick(f).p50), "ms"],
  ["p90", (f) => sampled(pick(f), pick(f).p90), "ms"],
  ["p99", (f) => sampled(pick(f), pick(f).p99), "ms"],
  ["p99.9", (f) => sampled(pick(f), pick(f).p999), "ms"],
  ["max", (f) => sampled(pick(f), pick(f).max), "ms"],
];

const podRowGroups: Array<[section: string, rows: PodRow[]]> = [
  [
    "Connections",
    [
      ["opened", (f) => f.connections.opened, "count"],
      ["failed", (f) => f.connections.failed, "warn"],
      ["peak open", (f) => f.connections.peak, "count"],
      ["reconnects", (f) => f.connections.reconnects, "count"],
      ["reconnect time p99 (ms)", (f) => sampled(f.reconnectTime, f.reconnectTime.p99), "ms"],
    ],
  ],
  [
    "Triggers",
    [
      ["accepted", (f) => f.triggers.accepted, "count"],
      ["failed", (f) => f.triggers.failed, "warn"],
    ],
  ],
  [
    "Delivery (frames)",
    [
      ["expected", (f) => f.delivery.expected, "count"],
      ["received", (f) => f.delivery.received, "count"],
      ["lost", (f) => f.delivery.lost, "bad"],
      ["out of order", (f) => f.delivery.outOfOrder, "bad"],
      ["duplicates", (f) => f.delivery.duplicates, "bad"],
      ["missed while disconnected", (f) => f.delivery.missedWhileDisconnected, "warn"],
      ["recovered after resume", (f) => f.delivery.recovered, "count"],
      ["history resets", (f) => f.delivery.resets, "warn"],
    ],
  ],
  ["Fan-out latency (ms, published → received)", latencyRows((f) => f.fanout)],
  ["End-to-end latency (ms, trigger sent → received)", latencyRows((f) => f.e2e)],
];

function podSection(report: Report, style: AnsiStyle): string[] {
  const columns: Array<[name: string, figures: PodFigures]> = [
    ...Object.entries(report.pods),
    ["overall", report.overall],
  ];
  const lines = [style.bold("Per pod")];
  for (const chunk of chunks(columns, maxColumnsPerTable)) {
    const rows: TextTableRow[] = [];
    for (const [section, podRows] of podRowGroups) {
      rows.push({ section: style.cyan(section) });
      for (const [label, read, kind] of podRows) {
        rows.push({
          cells: [`  ${label}`, ...chunk.map(([, figures]) => podCell(read(figures), kind, style))],
        });
      }
    }
    lines.push(...renderTextTable({ header: ["", ...chunk.map(([name]) => name)], rows }), "");
  }
  lines.pop();
  const samples = report.overall.delivery.lostSamples;
  if (samples.length > 0) lines.push(style.red(`  lost samples: ${samples.join(", ")}`));
  return lines;
}

function podCell(value: number | null, kind: PodRow[2], style: AnsiStyle): string {
  if (value === null) return "–";
  if (kind === "ms") return formatMs(value);
  const text = formatCount(value);
  if (value === 0) return text;
  if (kind === "bad") return style.red(text);
  if (kind === "warn") return style.yellow(text);
  return text;
}

function matrixSection(report: Report, style: AnsiStyle): string[] {
  if (report.matrix.length === 0) return [];
  const origins = unique(report.matrix.map((cell) => cell.origin));
  const deliverers = unique(report.matrix.map((cell) => cell.deliveredBy));
  const lines = [style.bold("Origin → delivering pod (fan-out p50 / p99 ms, frames)")];
  for (const chunk of chunks(deliverers, maxColumnsPerTable)) {
    const rows: TextTableRow[] = origins.map((origin) => ({
      cells: [
        origin,
        ...chunk.map((deliveredBy) => {
          const cell = report.matrix.find((c) => c.origin === origin && c.deliveredBy === deliveredBy);
          if (cell === undefined) return "–";
          return `${formatMs(cell.fanout.p50)} / ${formatMs(cell.fanout.p99)} · ${formatCount(cell.received)}`;
        }),
      ],
    }));
    lines.push(...renderTextTable({ header: ["origin \\ delivered by", ...chunk], rows }), "");
  }
  lines.pop();
  return lines;
}

type ChaosRow = [
  label: string,
  read: (impact: ChaosImpact) => string,
  bad?: (impact: ChaosImpact) => boolean,
];

const chaosRows: ChaosRow[] = [
  ["clients disconnected", (c) => formatCount(c.clientsDisconnected)],
  [
    "time to reconnect p50 / p99 / max (ms)",
    (c) =>
      `${formatMs(c.reconnectTime.p50)} / ${formatMs(c.reconnectTime.p99)} / ${formatMs(c.reconnectTime.max)}`,
  ],
  ["missed while disconnected", (c) => formatCount(c.missedWhileDisconnected)],
  ["recovered after resume", (c) => formatCount(c.recovered)],
  ["lost", (c) => formatCount(c.lost), (c) => c.lost > 0],
  ["duplicates", (c) => formatCount(c.duplicates), (c) => c.duplicates > 0],
  ["out of order", (c) => formatCount(c.outOfOrder), (c) => c.outOfOrder > 0],
  [
    "fan-out p99 before / during / after (ms)",
    (c) =>
      `${formatMs(c.fanoutP99Ms.before)} / ${formatMs(c.fanoutP99Ms.during)} / ${formatMs(c.fanoutP99Ms.after)}`,
  ],
  ["history lost", (c) => (c.historyLost ? "yes" : "no"), (c) => c.historyLost],
];

function chaosSection(report: Report, style: AnsiStyle): string[] {
  if (report.chaos.length === 0) return [];
  const events = report.chaos.map((impact, index) => ({ impact, index }));
  const lines = [style.bold("Chaos")];
  for (const chunk of chunks(events, maxColumnsPerTable - 2)) {
    const header = [
      "",
      ...chunk.map(
        ({ impact, index }) =>
          `#${index + 1} ${impact.action} ${impact.target} at ${formatRunTime(impact.t)}`,
      ),
    ];
    const rows: TextTableRow[] = chaosRows.map(([label, read, bad]) => ({
      cells: [label, ...chunk.map(({ impact }) => (bad?.(impact) ? style.red(read(impact)) : read(impact)))],
    }));
    lines.push(...renderTextTable({ header, rows }), "");
  }
  lines.pop();
  return lines;
}

function thresholdSection(report: Report, style: AnsiStyle): string[] {
  if (report.thresholds.length === 0) return [style.bold("Thresholds"), "  none set"];
  const rows: TextTableRow[] = report.thresholds.map((threshold) => ({
    cells: [
      threshold.ok ? style.green("✓") : style.red("✗"),
      threshold.metric,
      threshold.expression,
      threshold.ok ? formatThresholdActual(threshold) : style.red(formatThresholdActual(threshold)),
    ],
  }));
  return [
    style.bold("Thresholds"),
    ...renderTextTable({ header: ["", "metric", "threshold", "actual"], rows, leftAligned: [1, 2] }),
  ];
}

function validityLine(report: Report, style: AnsiStyle): string[] {
  const reasons = report.validity.reasons;
  if (report.validity.valid) {
    const notes = reasons.length > 0 ? ` (${reasons.join("; ")})` : "";
    return [`${style.bold("Validity")}  ${style.green("✓")} valid: the load generator kept up${notes}`];
  }
  const why = reasons.length > 0 ? reasons.join("; ") : "no reason given";
  return [`${style.bold("Validity")}  ${style.red("✗")} ${style.red(`INVALID: ${why}`)}`];
}

function verdictSection(report: Report, style: AnsiStyle): string[] {
  const verdict = reportVerdict(report);
  const details = [...verdict.reasons.map((reason) => style.red(reason)), ...verdict.facts];
  return [[style.badge(verdict.word, verdict.pass), ...details].join(" · ")];
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result.length > 0 ? result : [[]];
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
