// The bench's one table: a line per row (section, row, figures, target as measured / target, generator
// health, status), notes indented under their row, and a header saying when and where it ran.
import type { BenchRow } from "./bench-row.js";

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

export function renderBenchTable(rows: readonly BenchRow[], header: string): string {
  const lines = [header, ""];
  const widths = { section: 0, name: 0 };
  for (const row of rows) {
    widths.section = Math.max(widths.section, row.section.length);
    widths.name = Math.max(widths.name, row.name.length);
  }
  for (const row of rows) {
    const status = row.status === "valid" ? "ok" : row.status === "skip" ? "SKIP" : "INVALID";
    const generator = row.generator
      ? `gen cpu ${(row.generator.cpuFraction * 100).toFixed(0)}% lag p99 ${row.generator.eventLoopLagP99Ms.toFixed(1)} ms`
      : "";
    const cells = [pad(status, 7), pad(row.section, widths.section), pad(row.name, widths.name), row.display];
    lines.push(cells.join("  "));
    const indent = " ".repeat(9);
    if (row.target) lines.push(`${indent}target ${row.target.met ? "MET" : "NOT MET"}: ${row.target.text}`);
    if (generator) lines.push(`${indent}${generator}`);
    if (row.note) lines.push(`${indent}note: ${row.note}`);
  }
  return lines.join("\n");
}
