// Settle: judges every connection's delivery checker against the published log (what was accepted, up to
// the final head), then, while /metrics still serves the final figures, lets the caller wait for them to
// be collected (e.g. Prometheus's last scrape). Not after an abort: nobody waits on a stopped run.
import type { PublishedTrigger } from "../../core/delivery-checker.js";
import type { RunTimeline } from "./run-timeline.js";

export interface SettleInput {
  timeline: RunTimeline;
  pool: {
    finish(published: readonly PublishedTrigger[], finalHeadSeq: number | undefined): void;
    podCounts(): readonly { framesReceived: number }[];
  };
  published: { sorted(): PublishedTrigger[]; readonly headSeq: number | undefined };
  beforeMetricsClose?: (final: { framesReceived: number }) => Promise<void>;
  signal?: AbortSignal;
}

export async function settlePhase(input: SettleInput): Promise<void> {
  const { pool, published } = input;
  input.timeline.enter("finish");
  pool.finish(published.sorted(), published.headSeq);
  if (input.signal?.aborted || !input.beforeMetricsClose) return;
  let framesReceived = 0;
  for (const counts of pool.podCounts()) framesReceived += counts.framesReceived;
  await input.beforeMetricsClose({ framesReceived });
}
