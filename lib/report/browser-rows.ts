// What the report's browser section shows (runs with console pages: `--browsers N` or the k6
// browser-console scenario): one column per pod the pages watched, render latency and the page's own share
// of it. Shared by the console and HTML renderers so both show the same rows with the same meaning.
import type { LatencySummary, Report } from "../core/report-model.js";
import type { FigureKind } from "./figure-rows.js";

/** The report schema's cap on pageErrors samples. */
const maxPageErrorSamples = 20;

export type BrowserFigures = NonNullable<Report["browser"]>;

/** One pod's figures: render latency, and the page's share when the engine measured it. */
export interface BrowserColumn {
  pod: string;
  render: LatencySummary;
  page: LatencySummary | undefined;
}

export interface BrowserRow {
  label: string;
  /** null when the figure does not exist (no samples). */
  read: (column: BrowserColumn) => number | null;
  kind: FigureKind;
}

export interface BrowserRowGroup {
  section: string;
  rows: BrowserRow[];
}

const sampled = (summary: LatencySummary | undefined, pick: (s: LatencySummary) => number) =>
  summary !== undefined && summary.count > 0 ? pick(summary) : null;

export const browserRowGroups: BrowserRowGroup[] = [
  {
    section: "Render latency (ms, published → row in the page)",
    rows: [
      { label: "rows rendered", read: (c) => c.render.count, kind: "count" },
      { label: "p50", read: (c) => sampled(c.render, (s) => s.p50), kind: "ms" },
      { label: "p90", read: (c) => sampled(c.render, (s) => s.p90), kind: "ms" },
      { label: "p99", read: (c) => sampled(c.render, (s) => s.p99), kind: "ms" },
      { label: "max", read: (c) => sampled(c.render, (s) => s.max), kind: "ms" },
    ],
  },
  {
    section: "In the page (ms, message received → row attached)",
    rows: [
      { label: "p50", read: (c) => sampled(c.page, (s) => s.p50), kind: "ms" },
      { label: "p99", read: (c) => sampled(c.page, (s) => s.p99), kind: "ms" },
    ],
  },
];

/** Pods in name order, so a report reads the same whichever page reported first. */
export function browserColumns(browser: BrowserFigures): BrowserColumn[] {
  return Object.keys(browser.renderLatency)
    .sort()
    .map((pod) => ({
      pod,
      render: browser.renderLatency[pod] as LatencySummary,
      page: browser.pageDelay[pod],
    }));
}

export function browserHeadline(browser: BrowserFigures): string {
  const pages = `${browser.pages} console page${browser.pages === 1 ? "" : "s"}`;
  const count = browser.pageErrors.length;
  // The report keeps at most maxPageErrorSamples; a full list means there may have been more.
  const errors = `${count}${count >= maxPageErrorSamples ? "+" : ""} page error${count === 1 ? "" : "s"}`;
  return `${pages} · ${errors}`;
}
