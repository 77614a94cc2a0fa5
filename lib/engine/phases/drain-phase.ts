// Drain: publishing has stopped; waits (at most the profile's drain) until every connection has the last
// thing published, so the settle judges delivery rather than frames still in flight. With seq accounting
// that is the head seq; with publisher accounting, the last probe of every publisher lane.
import type { Accounting } from "../../core/delivery-checker.js";
import type { RunTimeline } from "./run-timeline.js";

export interface DrainInput {
  timeline: RunTimeline;
  pool: {
    waitForHead(headSeq: () => number, timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
    waitForProbes(
      heads: ReadonlyMap<string, number>,
      timeoutMs: number,
      signal?: AbortSignal,
    ): Promise<boolean>;
  };
  published: { readonly headSeq: number | undefined; readonly heads: ReadonlyMap<string, number> };
  accounting: Accounting;
  drainSeconds: number;
  signal?: AbortSignal;
}

/** Resolves true when everyone caught up, false on the drain timeout, undefined when nothing was drained. */
export async function drainPhase(input: DrainInput): Promise<boolean | undefined> {
  const { timeline, pool, published, signal } = input;
  if (signal?.aborted) return undefined;
  const timeoutMs = input.drainSeconds * 1000;
  const heads = published.heads;
  if (input.accounting === "publisher" && heads.size > 0) {
    const lanes = `the last probe of all ${heads.size} publisher lanes`;
    timeline.enter("drain", `until every connection has ${lanes}, at most ${input.drainSeconds} s`);
    const drained = await pool.waitForProbes(heads, timeoutMs, signal);
    if (!drained)
      timeline.event({ kind: "info", name: "drain-timeout", detail: `not every connection saw ${lanes}` });
    return drained;
  }
  const headSeq = published.headSeq;
  if (headSeq === undefined) return undefined;
  timeline.enter("drain", `until every connection has seq ${headSeq}, at most ${input.drainSeconds} s`);
  // The head can still rise while draining: a trigger without a reply shows up in a frame.
  const head = () => published.headSeq ?? headSeq;
  const drained = await pool.waitForHead(head, timeoutMs, signal);
  if (!drained) {
    timeline.event({
      kind: "info",
      name: "drain-timeout",
      detail: `not every connection reached seq ${head()}`,
    });
  }
  return drained;
}
