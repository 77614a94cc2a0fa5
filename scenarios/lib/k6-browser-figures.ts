// A console page's figures in a k6 run: render latency (published_at -> row in the page's DOM, measured in
// the page) and the page's own share of it, per pod, as k6 Trends (tagged with the pod, for thresholds and
// remote write) and as HDR histograms that each browser VU uploads to Redis, so handleSummary can put exact
// per-pod percentiles in the report's browser section, as the Node engine's --browsers does.

import { Counter, Trend } from "k6/metrics";
import type { Client } from "k6/x/redis";
import { CrosspodError } from "../../lib/core/crosspod-error.js";
import { LatencyHistogram } from "../../lib/core/latency-histogram.js";
import type { Report } from "../../lib/core/report-model.js";
import type { RunSegment } from "./k6-segment.js";
import { list, record, text } from "./k6-stored-values.js";

export const browserMetricNames = {
  renderLatency: "crosspod_browser_render_latency",
  pageDelay: "crosspod_browser_page_delay",
  rows: "crosspod_browser_rows",
  pageErrors: "crosspod_browser_page_errors",
} as const;

export interface BrowserMetrics {
  renderLatency: Trend;
  pageDelay: Trend;
  rows: Counter;
  pageErrors: Counter;
}

/** Init context only: k6 refuses to create metrics once VUs run. */
export function createBrowserMetrics(): BrowserMetrics {
  return {
    renderLatency: new Trend(browserMetricNames.renderLatency, true),
    pageDelay: new Trend(browserMetricNames.pageDelay, true),
    rows: new Counter(browserMetricNames.rows),
    pageErrors: new Counter(browserMetricNames.pageErrors),
  };
}

/** One page's upload: histograms per pod it rendered rows for, and its console errors (a few). */
export interface BrowserUpload {
  pods: Record<string, { render: string; page: string }>;
  errors: string[];
}

/** Uploads come back from Redis (this run's own browser VUs wrote them): a shape check before merging. */
function checkUpload(value: unknown): BrowserUpload {
  const upload = record(value, "upload");
  for (const [pod, histograms] of Object.entries(record(upload.pods, "pods"))) {
    const both = record(histograms, `pods.${pod}`);
    text(both.render, `pods.${pod}.render`);
    text(both.page, `pods.${pod}.page`);
  }
  list(upload.errors, "errors").forEach((error, i) => {
    text(error, `errors[${i}]`);
  });
  return upload as unknown as BrowserUpload;
}

const maxErrorSamples = 20;

export class BrowserFiguresError extends CrosspodError {
  override readonly code = "CROSSPOD_K6_BROWSER_FIGURES";
  override readonly kind = "internal";
}

/** What one browser VU measured; record() as batches arrive, upload() once at the end. */
export class PageFigures {
  private readonly pods = new Map<string, { render: LatencyHistogram; page: LatencyHistogram }>();
  private readonly errors: string[] = [];

  constructor(private readonly metrics: BrowserMetrics) {}

  record(pod: string, latenciesMs: readonly number[], skippedRows: number, pageDelaysMs: readonly number[]) {
    let histograms = this.pods.get(pod);
    if (histograms === undefined) {
      histograms = { render: new LatencyHistogram(), page: new LatencyHistogram() };
      this.pods.set(pod, histograms);
    }
    const tags = { pod };
    for (const latencyMs of latenciesMs) {
      histograms.render.recordMs(latencyMs);
      this.metrics.renderLatency.add(latencyMs, tags);
    }
    for (const delayMs of pageDelaysMs) {
      histograms.page.recordMs(delayMs);
      this.metrics.pageDelay.add(delayMs, tags);
    }
    this.metrics.rows.add(latenciesMs.length + skippedRows, tags);
  }

  pageError(pod: string, text: string): void {
    this.metrics.pageErrors.add(1, { pod });
    if (this.errors.length < maxErrorSamples) this.errors.push(`${pod}: ${text}`);
  }

  upload(): BrowserUpload {
    return {
      pods: Object.fromEntries(
        [...this.pods].map(([pod, histograms]) => [
          pod,
          { render: histograms.render.encode(), page: histograms.page.encode() },
        ]),
      ),
      errors: [...this.errors],
    };
  }
}

/**
 * The Redis list of a run's page uploads (beside RunStore's keys, under the same prefix); a runner of a split
 * run keeps its own pages' uploads under its segment, as RunStore keeps its figures.
 */
export function browserUploadsKey(
  keyPrefix: string,
  runId: string,
  segment: Pick<RunSegment, "text" | "partial">,
): string {
  const key = `${keyPrefix}k6:${runId}:browser`;
  return segment.partial ? `${key}:${segment.text}` : key;
}

export async function pushBrowserUpload(client: Client, key: string, upload: BrowserUpload): Promise<void> {
  await client.rpush(key, JSON.stringify(upload));
}

/** The report's browser section from every page's upload; `pages` is how many pages the run opened. */
export function mergeBrowserUploads(texts: readonly string[], pages: number): NonNullable<Report["browser"]> {
  const render = new Map<string, LatencyHistogram>();
  const page = new Map<string, LatencyHistogram>();
  const errors: string[] = [];
  const add = (into: Map<string, LatencyHistogram>, pod: string, encoded: string) => {
    const histogram = LatencyHistogram.decode(encoded);
    const existing = into.get(pod);
    if (existing) existing.merge(histogram);
    else into.set(pod, histogram);
  };
  texts.forEach((text, index) => {
    let upload: BrowserUpload;
    try {
      upload = checkUpload(JSON.parse(text));
    } catch (error) {
      throw new BrowserFiguresError(
        `browser upload ${index} in Redis is malformed (${String(error)}): ${text.slice(0, 120)}`,
      );
    }
    for (const [pod, histograms] of Object.entries(upload.pods)) {
      add(render, pod, histograms.render);
      add(page, pod, histograms.page);
    }
    errors.push(...upload.errors);
  });
  const summaries = (from: Map<string, LatencyHistogram>) =>
    Object.fromEntries([...from].map(([pod, histogram]) => [pod, histogram.summary()]));
  return {
    pages,
    renderLatency: summaries(render),
    pageDelay: summaries(page),
    pageErrors: errors.slice(0, maxErrorSamples),
  };
}
