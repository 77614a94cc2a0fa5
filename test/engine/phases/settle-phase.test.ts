import { describe, expect, it } from "vitest";
import type { PublishedTrigger } from "../../../lib/core/delivery-checker.js";
import { RunTimeline } from "../../../lib/engine/phases/run-timeline.js";
import { type SettleInput, settlePhase } from "../../../lib/engine/phases/settle-phase.js";

const triggers = [{ seq: 1 }, { seq: 2 }] as unknown as PublishedTrigger[];

function input(calls: string[]): SettleInput {
  return {
    timeline: new RunTimeline(0, () => 0),
    pool: {
      finish: (published, head) => calls.push(`finish ${published.length} up to ${head}`),
      podCounts: () => [{ framesReceived: 10 }, { framesReceived: 5 }],
    },
    published: { sorted: () => triggers, headSeq: 2 },
  };
}

describe("settlePhase", () => {
  it("settles against the published log, then waits for the final figures to be collected", async () => {
    const calls: string[] = [];
    const run = input(calls);
    await settlePhase({
      ...run,
      beforeMetricsClose: async ({ framesReceived }) => {
        calls.push(`collected ${framesReceived} frames`);
      },
    });
    expect(calls).toEqual(["finish 2 up to 2", "collected 15 frames"]);
    expect(run.timeline.phase).toBe("finish");
  });

  it("settles but waits for nobody after an abort", async () => {
    const calls: string[] = [];
    const stop = new AbortController();
    stop.abort();
    await settlePhase({
      ...input(calls),
      signal: stop.signal,
      beforeMetricsClose: async () => {
        calls.push("collected");
      },
    });
    expect(calls).toEqual(["finish 2 up to 2"]);
  });
});
