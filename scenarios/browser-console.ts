// browser-console: cross-pod-load with analysts watching. Beside the WebSocket subscribers and the
// publishers, a `browsers` scenario opens the SOC console (served by every pod at /) in k6's Chromium, one
// page per VU spread round-robin over the pods, and records what each page measured itself: render latency
// (published_at -> row in the page's DOM) as crosspod_browser_render_latency{pod}, the page's own share as
// crosspod_browser_page_delay{pod}, rows and console errors. handleSummary adds the report's browser section.
// Workload numbers come from lib/core's "cross-pod-load" profile (CROSSPOD_* env overrides them);
// CROSSPOD_BROWSERS sets the pages (default 2), CROSSPOD_FARO_URL points their Faro RUM at a collector.
//   K6_BROWSER_HEADLESS=true k6 run -e TARGETS=http://127.0.0.1:8081,http://127.0.0.1:8082 \
//     -e REDIS_URL=redis://127.0.0.1:6379 -e CROSSPOD_BROWSERS=3 dist/k6/v1/browser-console.js
import type { Options } from "k6/options";
import { scaleStriped } from "../lib/core/segment-striping.js";
import { browserScenario, loadBrowserConfig } from "./lib/k6-browser-config.js";
import { browserUploadsKey, createBrowserMetrics, mergeBrowserUploads } from "./lib/k6-browser-figures.js";
import { runBrowserVu } from "./lib/k6-browser-page.js";
import {
  type K6SummaryData,
  prepareRun,
  publish,
  type RunData,
  setupRun,
  subscribe,
  summarizeRun,
  teardownRun,
} from "./lib/k6-run.js";
import { runSegment } from "./lib/k6-segment.js";

const run = prepareRun("cross-pod-load", __ENV);
const browserConfig = loadBrowserConfig({ ...__ENV });
const browserMetrics = createBrowserMetrics();
/** The run's page uploads stay in Redis as long as RunStore keeps the rest of the run. */
const keepUploadsSeconds = 3600;

export const options: Options = {
  ...run.options,
  scenarios: {
    ...run.options.scenarios,
    browsers: browserScenario(browserConfig, run.timing),
  },
};

export function setup(): Promise<RunData> {
  return setupRun(run);
}

export function subscribers(data: RunData): Promise<void> {
  return subscribe(run, data);
}

export function publishers(data: RunData): Promise<void> {
  return publish(run, data);
}

export function browsers(data: RunData): Promise<void> {
  return runBrowserVu(
    {
      config: browserConfig,
      metrics: browserMetrics,
      client: run.client,
      keyPrefix: run.config.keyPrefix,
      holdSeconds: run.timing.holdSeconds,
    },
    data,
  );
}

export function teardown(data: RunData): Promise<void> {
  return teardownRun(run, data);
}

export function handleSummary(summary: K6SummaryData): Promise<Record<string, string>> {
  return summarizeRun(run, summary, async (report, runId) => {
    const segment = runSegment();
    const key = browserUploadsKey(run.config.keyPrefix, runId, segment);
    const uploads = (await run.client.lrange(key, 0, -1)) ?? [];
    await run.client.expire(key, keepUploadsSeconds);
    // k6 gives this runner its striped share of the page VUs.
    report.browser = mergeBrowserUploads(uploads, scaleStriped(segment.tuple, browserConfig.pages));
  });
}
