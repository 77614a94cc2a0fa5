// `crosspod report compare` as text: baseline and candidate side by side with the change, regressions
// marked, and a closing verdict line. Pure string output like the console summary.
import type { CompareRow, ReportComparison } from "../core/report-compare.js";
import type { Report } from "../core/report-model.js";
import { type AnsiStyle, ansiStyle } from "./ansi-style.js";
import { formatCount, formatMs } from "./figure-format.js";
import { renderTextTable, type TextTableRow } from "./text-table.js";

function value(row: CompareRow, figure: number | null): string {
  if (figure === null) return "–";
  switch (row.unit) {
    case "ms":
      return `${formatMs(figure)} ms`;
    case "count":
      return formatCount(figure);
    case "ratio":
      return `×${figure.toFixed(2)}`;
    default:
      return `${figure >= 0 ? "+" : "−"}${formatMs(Math.abs(figure))} ${row.unit}`;
  }
}

function change(row: CompareRow): string {
  const { baseline, candidate } = row;
  if (baseline === null || candidate === null) return "";
  if (row.unit === "ms" && baseline > 0) {
    const percent = ((candidate - baseline) / baseline) * 100;
    return `${percent >= 0 ? "+" : "−"}${Math.abs(percent).toFixed(1)}%`;
  }
  const delta = candidate - baseline;
  if (delta === 0) return "=";
  return `${delta > 0 ? "+" : "−"}${row.unit === "count" ? formatCount(Math.abs(delta)) : formatMs(Math.abs(delta))}`;
}

export function renderComparison(
  baseline: Report,
  candidate: Report,
  comparison: ReportComparison,
  options: { color?: boolean } = {},
): string {
  const style: AnsiStyle = ansiStyle(options.color ?? false);
  const rows: TextTableRow[] = comparison.rows.map((row) => {
    const delta = change(row);
    return {
      cells: [
        row.label,
        value(row, row.baseline),
        value(row, row.candidate),
        row.regression ? style.red(`${delta} ✗`) : delta,
      ],
    };
  });
  const lines = [
    style.bold("crosspod report compare"),
    `baseline  ${baseline.run.id} · ${baseline.run.profile} · ${baseline.run.engine} · ${baseline.run.startedAt}`,
    `candidate ${candidate.run.id} · ${candidate.run.profile} · ${candidate.run.engine} · ${candidate.run.startedAt}`,
    ...comparison.mismatches.map((mismatch) => style.yellow(`note: ${mismatch} (compared with --force)`)),
    "",
    ...renderTextTable({ header: ["", "baseline", "candidate", "change"], rows }),
    "",
  ];
  if (comparison.regressions.length === 0) {
    lines.push(`${style.badge("PASS", true)} · no regression beyond the limits`);
  } else {
    lines.push(
      `${style.badge("FAIL", false)} · ${comparison.regressions.length} regression${comparison.regressions.length === 1 ? "" : "s"}:`,
      ...comparison.regressions.map((regression) => style.red(`  ${regression}`)),
    );
  }
  return `${lines.join("\n")}\n`;
}
