// The end-of-run console summary: run header, a per-pod and overall table, the origin -> deliverer
// matrix, chaos impact, console pages' render latency (when the run drove browsers), thresholds with ✓/✗, validity and a one-line verdict. Pure string output with
// no Node APIs, so k6's handleSummary can print it too.
import type { PodFigures, Report } from "../core/report-model.js";
import { type AnsiStyle, ansiStyle } from "./ansi-style.js";
import { browserColumns, browserHeadline, browserRowGroups } from "./browser-rows.js";
import { driftBasis, driftRows, fanoutDriftLine, redisDriftLines } from "./drift-rows.js";
import { formatCount, formatDuration, formatMs } from "./figure-format.js";
import {
  chaosRows,
  type FigureKind,
  figureSeverity,
  formatFigure,
  phaseRows,
  podRowGroups,
  reportPhases,
} from "./figure-rows.js";
import { reportVerdict } from "./report-verdict.js";
import { renderTextTable, type TextTableRow } from "./text-table.js";
import { formatThresholdActual } from "./threshold-display.js";

export interface ConsoleSummaryOptions {
  /** ANSI colors; off by default so the text is the same in a file, a pipe or CI. */
  color?: boolean;
}

/** Columns per table before it wraps into another table, to stay within a terminal's width. */
const maxColumnsPerTable = 6;
/** Chaos columns are wider ("361 / 641 / 652"), so fewer fit. */
const maxChaosColumnsPerTable = 3;

export function renderConsoleSummary(report: Report, options: ConsoleSummaryOptions = {}): string {
  const style = ansiStyle(options.color ?? false);
  const sections = [
    runHeader(report, style),
    podSection(report, style),
    matrixSection(report, style),
    chaosSection(report, style),
    phaseSection(report, style),
    browserSection(report, style),
    traceSection(report, style),
    driftSection(report, style),
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

function podSection(report: Report, style: AnsiStyle): string[] {
  const columns: Array<[name: string, figures: PodFigures]> = [
    ...Object.entries(report.pods),
    ["overall", report.overall],
  ];
  const lines = [style.bold("Per pod")];
  for (const chunk of chunks(columns, maxColumnsPerTable)) {
    const rows: TextTableRow[] = [];
    for (const group of podRowGroups) {
      rows.push({ section: style.cyan(group.section) });
      for (const row of group.rows) {
        rows.push({
          cells: [
            `  ${row.label}`,
            ...chunk.map(([, figures]) => podCell(row.read(figures), row.kind, style)),
          ],
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

function podCell(value: number | null, kind: FigureKind, style: AnsiStyle): string {
  const text = formatFigure(value, kind);
  const severity = figureSeverity(value, kind);
  if (severity === "bad") return style.red(text);
  if (severity === "warn") return style.yellow(text);
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

function phaseSection(report: Report, style: AnsiStyle): string[] {
  const phases = reportPhases(report);
  if (phases.length === 0) return [];
  const rows: TextTableRow[] = phaseRows.map((row) => ({
    cells: [row.label, ...phases.map(([, figures]) => row.read(figures))],
  }));
  return [
    `${style.bold("Phases")} · fault: a chaos event until its clients are back; recovery: 5 s after`,
    ...renderTextTable({ header: ["", ...phases.map(([name]) => name)], rows }),
  ];
}

function chaosSection(report: Report, style: AnsiStyle): string[] {
  if (report.chaos.length === 0) return [];
  const events = report.chaos.map((impact, index) => ({ impact, index }));
  const lines = [style.bold("Chaos")];
  for (const chunk of chunks(events, maxChaosColumnsPerTable)) {
    const header = [
      "",
      ...chunk.map(({ impact, index }) => `#${index + 1} ${impact.action} ${impact.target}`),
    ];
    const rows: TextTableRow[] = chaosRows.map((row) => ({
      cells: [
        row.label,
        ...chunk.map(({ impact }) => (row.bad?.(impact) ? style.red(row.read(impact)) : row.read(impact))),
      ],
    }));
    lines.push(...renderTextTable({ header, rows }), "");
  }
  lines.pop();
  for (const { impact, index } of events) {
    const line = redisLine(impact, index);
    if (line !== undefined) lines.push(line.bad ? style.red(line.text) : line.text);
  }
  return lines;
}

/** The "Redis" line of a failover event: how long writes had nowhere to go, and what was lost. */
function redisLine(
  impact: Report["chaos"][number],
  index: number,
): { text: string; bad: boolean } | undefined {
  const redis = impact.redis;
  if (redis === undefined) return undefined;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const lost =
    redis.acknowledgedLost === undefined
      ? "acknowledged lost not checked"
      : `acknowledged lost ${redis.acknowledgedLost}${redis.acknowledgedLost > 0 && redis.acknowledgedLostSamples?.length ? ` (e.g. ${redis.acknowledgedLostSamples.slice(0, 3).join(", ")})` : ""}`;
  const parts = [
    `${redis.fromPrimary} -> ${redis.toPrimary}`,
    `no writable primary ${seconds(redis.noPrimaryMs)}`,
    `refused (503) ${redis.refused}`,
    `pods resubscribed ${redis.resubscribeMs === undefined ? "never" : `after ${seconds(redis.resubscribeMs)}`}`,
    `client resets ${redis.clientResets}`,
    lost,
  ];
  return {
    text: `  Redis #${index + 1} ${impact.action}: ${parts.join(" · ")}`,
    bad: (redis.acknowledgedLost ?? 0) > 0,
  };
}

function browserSection(report: Report, style: AnsiStyle): string[] {
  const browser = report.browser;
  if (browser === undefined) return [];
  const lines = [`${style.bold("Browser")} · ${browserHeadline(browser)}`];
  const columns = browserColumns(browser);
  if (columns.length === 0) lines.push("  no render latency measured");
  for (const chunk of chunks(columns, maxColumnsPerTable)) {
    if (chunk.length === 0) break;
    const rows: TextTableRow[] = [];
    for (const group of browserRowGroups) {
      rows.push({ section: style.cyan(group.section) });
      for (const row of group.rows) {
        rows.push({
          cells: [`  ${row.label}`, ...chunk.map((column) => formatFigure(row.read(column), row.kind))],
        });
      }
    }
    lines.push(...renderTextTable({ header: ["", ...chunk.map((column) => column.pod)], rows }), "");
  }
  if (lines.at(-1) === "") lines.pop();
  for (const error of browser.pageErrors) lines.push(style.red(`  page error: ${error}`));
  return lines;
}

function traceSection(report: Report, style: AnsiStyle): string[] {
  const traces = report.traces;
  if (traces === undefined) return [];
  if (traces.length === 0) return [`${style.bold("Traces")} · no sampled threat was traced end to end`];
  return [
    `${style.bold("Traces")} · slowest sampled threats, trigger → last receive:`,
    ...traces.map(
      (trace) =>
        `  ${trace.traceId}  ${formatMs(trace.totalMs)} ms${trace.seq === undefined ? "" : `  seq ${trace.seq}`}  ${trace.spans.length} spans`,
    ),
  ];
}

function driftSection(report: Report, style: AnsiStyle): string[] {
  const drift = report.drift;
  if (drift === undefined) return [];
  const lines = [`${style.bold("Drift")} · per hour over the steady phase (last value)`];
  const pods = Object.entries(drift.pods);
  for (const chunk of chunks(pods, maxColumnsPerTable)) {
    if (chunk.length === 0) break;
    const rows: TextTableRow[] = driftRows.map((row) => ({
      cells: [`  ${row.label}`, ...chunk.map(([, pod]) => row.read(pod))],
    }));
    lines.push(...renderTextTable({ header: ["", ...chunk.map(([name]) => name)], rows }), "");
  }
  lines.push(...[...redisDriftLines(drift), fanoutDriftLine(drift)].map((line) => `  ${line}`));
  lines.push(style.dim(`  ${driftBasis(drift)}`));
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
