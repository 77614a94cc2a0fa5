// The browser VU: one SOC console page in k6's Chromium, on one pod (round-robin by the VU's place in the
// scenario). An init script installs the console's render hook (lib/core/render-hook.ts) before the
// page's own script runs, queueing what each animation frame attached; the VU drains the queue every
// pollMs, so render latency is measured in the page (published_at -> row in the DOM) and recorded here.
// It holds the page until the subscribers close (publishing, then the drain), then uploads its figures.

import { browser, type Page } from "k6/browser";
import exec from "k6/execution";
import { setTimeout } from "k6/timers";
import type { Client } from "k6/x/redis";
import { CrosspodError } from "../../lib/core/crosspod-error.js";
import { renderHookName } from "../../lib/core/render-hook.js";
import type { BrowserConfig } from "./k6-browser-config.js";
import {
  type BrowserMetrics,
  browserUploadsKey,
  PageFigures,
  pushBrowserUpload,
} from "./k6-browser-figures.js";
import type { RunData } from "./k6-run.js";
import { runSegment } from "./k6-segment.js";

export interface BrowserVuContext {
  config: BrowserConfig;
  metrics: BrowserMetrics;
  client: Client;
  keyPrefix: string;
  /** Seconds from the start of the scenarios until the subscribers close. */
  holdSeconds: number;
}

export class BrowserPageError extends CrosspodError {
  override readonly code = "CROSSPOD_K6_BROWSER_PAGE";
  override readonly kind = "environment";
}

const pollMs = 250;
const renderQueueName = "__crosspodK6RenderQueue";
/** A page whose VU stopped draining keeps at most this many frames' batches. */
const maxQueuedBatches = 10_000;

/** Runs in the page before its scripts: the hook queues [pod, latenciesMs, skippedRows, pageDelaysMs]. */
export const renderHookInitScript = `(() => {
  const queue = [];
  globalThis[${JSON.stringify(renderQueueName)}] = queue;
  globalThis[${JSON.stringify(renderHookName)}] = (pod, latenciesMs, skippedRows, pageDelaysMs) => {
    if (queue.length < ${maxQueuedBatches}) queue.push([pod, latenciesMs, skippedRows, pageDelaysMs]);
  };
  addEventListener("error", (event) => console.error("uncaught: " + event.message));
})();`;

/**
 * Runs in the page: takes every queued batch. A function, not a string (k6 calls its source as a function;
 * playwright would only evaluate a string), and self-contained: only its source reaches the page.
 */
function takeRenderBatches(queueName: string): unknown {
  return (globalThis as unknown as Record<string, unknown[]>)[queueName]?.splice(0) ?? [];
}

type RenderBatch = [pod: string, latenciesMs: number[], skippedRows: number, pageDelaysMs: number[]];

const maxBatchValues = 10_000;

function numbers(value: unknown): value is number[] {
  return Array.isArray(value) && value.length <= maxBatchValues && value.every((n) => typeof n === "number");
}

// What the page hands back: untrusted, so checked before it touches a metric.
function renderBatches(value: unknown): RenderBatch[] {
  if (!Array.isArray(value))
    throw new BrowserPageError("the console page handed back render batches that are not a list");
  value.forEach((batch, i) => {
    const [pod, latencies, skipped, delays] = Array.isArray(batch) ? batch : [];
    const ok =
      Array.isArray(batch) &&
      batch.length === 4 &&
      typeof pod === "string" &&
      pod.length >= 1 &&
      pod.length <= 64 &&
      numbers(latencies) &&
      Number.isInteger(skipped) &&
      (skipped as number) >= 0 &&
      numbers(delays);
    if (!ok) {
      throw new BrowserPageError(
        `the console page handed back a malformed render batch ${i}: expected [pod, latencies, skipped rows, page delays]`,
      );
    }
  });
  return value as RenderBatch[];
}

/** The console at a pod's base URL, pointed at a Faro collector when one is given. No URL class in k6. */
export function consolePageUrl(baseUrl: string, faroUrl: string | undefined): string {
  const page = `${baseUrl.replace(/\/+$/, "")}/`;
  return faroUrl === undefined ? page : `${page}?faro=${encodeURIComponent(faroUrl)}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

async function drain(page: Page, figures: PageFigures): Promise<void> {
  const batches = renderBatches(await page.evaluate(takeRenderBatches, renderQueueName));
  for (const [pod, latenciesMs, skippedRows, pageDelaysMs] of batches) {
    figures.record(pod, latenciesMs, skippedRows, pageDelaysMs);
  }
}

export async function runBrowserVu(context: BrowserVuContext, data: RunData): Promise<void> {
  const { config, metrics } = context;
  const target = data.targets[exec.scenario.iterationInTest % data.targets.length];
  if (target === undefined) throw new BrowserPageError("setup discovered no targets to open consoles on");
  const figures = new PageFigures(metrics);
  const url = consolePageUrl(target.url, config.faroUrl);

  // One context per page: its own storage, so each page is its own Faro session, like separate analysts.
  const browserContext = await browser.newContext();
  try {
    await browserContext.addInitScript(renderHookInitScript);
    const page = await browserContext.newPage();
    page.on("console", (message) => {
      if (message.type() === "error") figures.pageError(target.pod, message.text());
    });
    await page.goto(url, { timeout: config.readyTimeoutMs });
    await page.waitForSelector('body[data-state="live"]', { timeout: config.readyTimeoutMs }).catch(() => {
      throw new BrowserPageError(
        `the console at ${url} (${target.pod}) was not live within ${config.readyTimeoutMs} ms`,
      );
    });
    // Read once the page is live: the emulator (test/scenarios/browser-k6-emulation.ts) starts the run's
    // clock only when every page has said hello; in k6 the start time is fixed and the order is moot.
    const holdUntilMs = exec.scenario.startTime + context.holdSeconds * 1000;
    while (Date.now() < holdUntilMs) {
      await sleep(Math.min(pollMs, holdUntilMs - Date.now()));
      await drain(page, figures);
    }
    // Rows of the last frames land within an animation frame (a hidden page's timer: 100 ms).
    await sleep(pollMs);
    await drain(page, figures);
    await page.close();
  } finally {
    await browserContext.close();
  }
  await pushBrowserUpload(
    context.client,
    browserUploadsKey(context.keyPrefix, data.runId, runSegment()),
    figures.upload(),
  );
}
