// What the browser-console scenario reads from __ENV beside the run's config (k6-run-config.ts), checked
// once in the init context with a message naming the variable: how many console pages (one browser VU
// each) and the Faro collector the pages send their RUM to, if any.

import type { Scenario } from "k6/options";
import { CrosspodError } from "../../lib/core/crosspod-error.js";
import type { RunTiming } from "./k6-options.js";

export interface BrowserConfig {
  /** Console pages, one per browser VU, spread round-robin over the pods. */
  pages: number;
  /** Given to each page as ?faro=; undefined: the pages send no RUM. */
  faroUrl: string | undefined;
  /** From navigation to the page's feed being live. */
  readyTimeoutMs: number;
}

export class BrowserConfigError extends CrosspodError {
  override readonly code = "CROSSPOD_K6_BROWSER_CONFIG";
  override readonly kind = "usage";
}

export const maxBrowserPages = 50;
const defaultPages = 2;

function invalid(variable: string, value: string, expected: string): BrowserConfigError {
  return new BrowserConfigError(`${variable}="${value}" is invalid: ${expected}`);
}

function pagesFrom(text: string | undefined): number {
  if (text === undefined) return defaultPages;
  if (!/^\d+$/.test(text)) {
    throw invalid(
      "CROSSPOD_BROWSERS",
      text,
      `expected a whole number of console pages from 1 to ${maxBrowserPages}`,
    );
  }
  const pages = Number(text);
  if (pages < 1) throw invalid("CROSSPOD_BROWSERS", text, "expected at least 1 page");
  if (pages > maxBrowserPages) {
    throw invalid("CROSSPOD_BROWSERS", text, `expected at most ${maxBrowserPages} pages`);
  }
  return pages;
}

export function loadBrowserConfig(env: Record<string, string | undefined>): BrowserConfig {
  const faroUrl = env.CROSSPOD_FARO_URL;
  if (faroUrl !== undefined && !/^https?:\/\/\S+$/.test(faroUrl)) {
    throw invalid(
      "CROSSPOD_FARO_URL",
      faroUrl,
      "expected the collector's URL, e.g. http://127.0.0.1:12347/collect",
    );
  }
  return { pages: pagesFrom(env.CROSSPOD_BROWSERS), faroUrl, readyTimeoutMs: 30_000 };
}

/**
 * The `browsers` scenario: one iteration per page, from the start (before the first trigger, like the
 * subscribers) until the subscribers close, in k6's Chromium.
 */
export function browserScenario(config: BrowserConfig, timing: RunTiming): Scenario {
  const scenario: Scenario = {
    executor: "per-vu-iterations",
    exec: "browsers",
    vus: config.pages,
    iterations: 1,
    // Room after the hold for the page's launch, the last rows and closing the page.
    maxDuration: `${timing.holdSeconds + config.readyTimeoutMs / 1000 + 30}s`,
    gracefulStop: "10s",
    options: { browser: { type: "chromium" } },
  };
  return scenario;
}
