// `--browsers N`: N headless Chromium pages (Debian's chromium driven by playwright-core) each showing one
// pod's SOC console, spread round-robin over the pods beside the WebSocket load. Every render latency a
// page measures reaches this process through an exposed function, one call per animation frame, and is
// recorded per pod in an HDR histogram, so the report's browser figures are exact, not a collector's buckets.

import type { Browser, BrowserContext } from "playwright-core";
import { z } from "zod";
import { CrosspodError } from "../core/crosspod-error.js";
import { LatencyHistogram } from "../core/latency-histogram.js";
import { renderHookName } from "../core/render-hook.js";
import type { LatencySummary, Report } from "../core/report-model.js";
import { findBinary } from "../node-platform/find-binary.js";
import { waitUntil } from "./wait-until.js";

export interface BrowserPagesOptions {
  pods: { name: string; httpUrl: string }[];
  count: number;
  /** Faro collector URL passed to each page as `?faro=`; without it the pages send no RUM. */
  collectorUrl?: string;
  /** Chromium binary; default CHROMIUM_BIN, then chromium on PATH (/usr/bin/chromium on Debian). */
  executablePath?: string;
  /** Per page, from navigation to its feed being live. Default 30 s. */
  readyTimeoutMs?: number;
}

export interface BrowserPages {
  /** Render latency (published_at → row in the page's DOM) per pod the pages were connected to, in ms. */
  renderLatencyByPod(): Record<string, LatencySummary>;
  /** The browser's share of it: message received by the page → row attached, per pod, in ms. */
  pageDelayByPod(): Record<string, LatencySummary>;
  /** Console errors and uncaught exceptions the pages reported, prefixed with the page's pod. */
  pageErrors(): string[];
  /**
   * Waits until every page has handled at least `rowsPerPage` threats (rendered, or skipped past the row
   * cap): the threats published since the pages went live, so the figures include the last frames.
   * False if some page is still behind after the timeout.
   */
  settle(rowsPerPage: number, timeoutMs?: number): Promise<boolean>;
  /** The report's `browser` section. */
  figures(): NonNullable<Report["browser"]>;
  close(): Promise<void>;
}

export class BrowserPagesError extends CrosspodError {
  override readonly kind = "usage";

  constructor(
    message: string,
    override readonly code: string,
  ) {
    super(message);
    this.name = "BrowserPagesError";
  }
}

export const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const optionsSchema = z.object({
  pods: z.array(z.object({ name: z.string().min(1), httpUrl: z.string().url() })).min(1),
  count: z.number().int().min(1).max(50),
  collectorUrl: z.string().url().optional(),
  executablePath: z.string().min(1).optional(),
  readyTimeoutMs: z.number().int().positive().default(30_000),
});

// What a page hands the exposed function: untrusted, so checked before it touches a histogram.
const renderReportSchema = z.tuple([
  z.string().min(1).max(64),
  z.array(z.number()).max(10_000),
  z.number().int().nonnegative(),
  z.array(z.number()).max(10_000),
]);

export function findChromium(override = process.env.CHROMIUM_BIN): string | undefined {
  if (override) return findBinary("chromium", override);
  return findBinary("chromium") ?? findBinary("chromium-browser");
}

export function consoleUrl(httpUrl: string, collectorUrl: string | undefined): string {
  const url = new URL("/", httpUrl);
  if (collectorUrl !== undefined) url.searchParams.set("faro", collectorUrl);
  return url.href;
}

export async function openBrowserPages(options: BrowserPagesOptions): Promise<BrowserPages> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BrowserPagesError(
      `invalid browser pages option ${issue?.path.join(".") || "options"}: ${issue?.message}`,
      "CROSSPOD_BROWSER_OPTIONS",
    );
  }
  const config = parsed.data;
  const executablePath = findChromium(config.executablePath ?? process.env.CHROMIUM_BIN);
  if (!executablePath) {
    const where = config.executablePath ?? process.env.CHROMIUM_BIN ?? "PATH";
    throw new BrowserPagesError(
      `chromium was not found at ${where}; install it (apt-get install chromium, or scripts/setup) or set CHROMIUM_BIN`,
      "CROSSPOD_BROWSER_NOT_FOUND",
    );
  }

  // Loaded only when pages are asked for, so the CLI runs where playwright-core is not installed.
  const { chromium } = await import("playwright-core").catch((error: unknown) => {
    throw new BrowserPagesError(
      `playwright-core could not be loaded (${(error as Error).message}); install it with npm i playwright-core`,
      "CROSSPOD_BROWSER_DRIVER_MISSING",
    );
  });
  const histograms = new Map<string, { render: LatencyHistogram; page: LatencyHistogram }>();
  const rowsRendered = new Array<number>(config.count).fill(0);
  const errors: string[] = [];
  const browser: Browser = await chromium.launch({ executablePath, headless: true, args: chromiumArgs });
  const contexts: BrowserContext[] = [];
  try {
    await Promise.all(
      Array.from({ length: config.count }, async (_, index) => {
        const pod = config.pods[index % config.pods.length] as { name: string; httpUrl: string };
        // One context per page: separate storage, so each page is its own Faro session, like separate analysts.
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        contexts.push(context);
        const page = await context.newPage();
        page.on("console", (message) => {
          if (message.type() === "error") errors.push(`${pod.name}: ${message.text()}`);
        });
        page.on("pageerror", (error) => errors.push(`${pod.name}: ${error.message}`));
        await page.exposeFunction(renderHookName, (...args: unknown[]) => {
          const report = renderReportSchema.safeParse(args);
          if (!report.success) return;
          const [podName, latenciesMs, skippedRows, pageDelaysMs] = report.data;
          rowsRendered[index] = (rowsRendered[index] ?? 0) + latenciesMs.length + skippedRows;
          let pod = histograms.get(podName);
          if (!pod) {
            pod = { render: new LatencyHistogram(), page: new LatencyHistogram() };
            histograms.set(podName, pod);
          }
          for (const latencyMs of latenciesMs) pod.render.recordMs(latencyMs);
          for (const delayMs of pageDelaysMs) pod.page.recordMs(delayMs);
        });
        const url = consoleUrl(pod.httpUrl, config.collectorUrl);
        await page.goto(url, { timeout: config.readyTimeoutMs });
        await page
          .locator('body[data-state="live"]')
          .waitFor({ timeout: config.readyTimeoutMs })
          .catch(() => {
            throw new BrowserPagesError(
              `the console at ${url} (${pod.name}) was not live within ${config.readyTimeoutMs} ms`,
              "CROSSPOD_BROWSER_NOT_LIVE",
            );
          });
      }),
    );
  } catch (error) {
    await browser.close();
    throw error;
  }

  const summaries = (which: "render" | "page"): Record<string, LatencySummary> =>
    Object.fromEntries([...histograms].map(([pod, histogram]) => [pod, histogram[which].summary()]));
  const renderLatencyByPod = () => summaries("render");
  const pageDelayByPod = () => summaries("page");
  let closing: Promise<void> | undefined;
  return {
    renderLatencyByPod,
    pageDelayByPod,
    pageErrors() {
      return [...errors];
    },
    settle(rowsPerPage, timeoutMs = 10_000) {
      return waitUntil(() => rowsRendered.every((rows) => rows >= rowsPerPage), { timeoutMs });
    },
    figures() {
      return {
        pages: config.count,
        renderLatency: renderLatencyByPod(),
        pageDelay: pageDelayByPod(),
        pageErrors: errors.slice(0, 20),
      };
    },
    close() {
      closing ??= (async () => {
        await Promise.allSettled(contexts.map((context) => context.close()));
        await browser.close();
      })();
      return closing;
    },
  };
}
