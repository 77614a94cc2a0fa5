// Waits until Prometheus holds a run's final load-side figures, so closing the engine's /metrics loses
// nothing: a scrape saw the run's crosspod_frames_received_total at its final count, and the recording
// rules were evaluated after that scrape (a crosspod:* sample at least as new), so crosspod:* series end
// on the final figures too.
import { queryPrometheus } from "./prometheus-query.js";

export interface FinalScrapeOptions {
  prometheusUrl: string;
  runId: string;
  /** Frames the run's clients received in all: the counter's final value summed over pods. */
  framesReceived: number;
  timeoutMs: number;
  pollIntervalMs?: number;
  signal?: AbortSignal;
}

export type FinalScrapeOutcome = { scraped: true } | { scraped: false; lastSeen: string };

/** A PromQL string literal holding `value`. */
function quoted(value: string): string {
  return `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

export async function waitForFinalScrape(options: FinalScrapeOptions): Promise<FinalScrapeOutcome> {
  const { prometheusUrl, framesReceived } = options;
  const run = `{run=${quoted(options.runId)}}`;
  const counterExpr = `sum(crosspod_frames_received_total${run})`;
  const scrapedAtExpr = `max(timestamp(crosspod_frames_received_total${run}))`;
  // crosspod:lost:total is recorded from the lost counter, which is final once the checkers have settled.
  const ruleAtExpr = `min(timestamp(crosspod:lost:total${run}))`;
  const deadline = performance.now() + options.timeoutMs;
  const intervalMs = options.pollIntervalMs ?? 200;
  let lastSeen = "no answer yet";
  let scrapedAt: number | undefined;
  for (;;) {
    try {
      if (scrapedAt === undefined) {
        const [counter] = await queryPrometheus(prometheusUrl, counterExpr, { signal: options.signal });
        lastSeen = `${counterExpr} = ${counter?.value ?? "no series"} (final count ${framesReceived})`;
        if (counter && counter.value >= framesReceived) {
          const [at] = await queryPrometheus(prometheusUrl, scrapedAtExpr, { signal: options.signal });
          scrapedAt = at?.value;
        }
      }
      if (scrapedAt !== undefined) {
        const [ruleAt] = await queryPrometheus(prometheusUrl, ruleAtExpr, { signal: options.signal });
        lastSeen = `${ruleAtExpr} = ${ruleAt?.value ?? "no series"} (final scrape at ${scrapedAt})`;
        if (ruleAt && ruleAt.value >= scrapedAt) return { scraped: true };
      }
    } catch (error) {
      lastSeen = error instanceof Error ? error.message : String(error);
    }
    if (options.signal?.aborted || performance.now() >= deadline) return { scraped: false, lastSeen };
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, deadline - performance.now())));
  }
}
