// Aligned plain-text tables for the console summary: a left-aligned label column, right-aligned value
// columns, and section rows that group related lines. Widths ignore ANSI escapes.
import { visibleWidth } from "./ansi-style.js";

export type TextTableRow = { cells: string[] } | { section: string };

export interface TextTable {
  header: string[];
  rows: TextTableRow[];
  /** Columns after the first are right-aligned unless listed here. */
  leftAligned?: number[];
}

const gap = "  ";

export function renderTextTable(table: TextTable, indent = "  "): string[] {
  const columnCount = table.header.length;
  const widths = table.header.map((title) => visibleWidth(title));
  for (const row of table.rows) {
    if (!("cells" in row)) continue;
    row.cells.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, visibleWidth(cell));
    });
  }
  const leftAligned = new Set([0, ...(table.leftAligned ?? [])]);
  const line = (cells: string[]) =>
    indent +
    cells
      .slice(0, columnCount)
      .map((cell, index) => pad(cell, widths[index] ?? 0, leftAligned.has(index)))
      .join(gap)
      .trimEnd();
  const totalWidth = widths.reduce((sum, width) => sum + width, 0) + gap.length * (columnCount - 1);
  const lines = [line(table.header), indent + "─".repeat(totalWidth)];
  for (const row of table.rows) {
    lines.push("cells" in row ? line(row.cells) : indent + row.section);
  }
  return lines;
}

function pad(text: string, width: number, left: boolean): string {
  const fill = " ".repeat(Math.max(0, width - visibleWidth(text)));
  return left ? text + fill : fill + text;
}
