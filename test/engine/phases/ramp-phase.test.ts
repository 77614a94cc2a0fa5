import { describe, expect, it } from "vitest";
import { rampPhase } from "../../../lib/engine/phases/ramp-phase.js";
import { RunTimeline } from "../../../lib/engine/phases/run-timeline.js";

describe("rampPhase", () => {
  it("notes the RSS before opening any connection, then opens the pool under the run's signal", async () => {
    const order: string[] = [];
    const signal = new AbortController().signal;
    const timeline = new RunTimeline(0, () => 0);
    const outcome = await rampPhase({
      timeline,
      pool: {
        open: async (given) => {
          expect(given).toBe(signal);
          order.push("open");
        },
      },
      memory: {
        sampleMemory: () => {
          order.push("rss");
          return 123;
        },
      },
      connections: 10,
      rampSeconds: 2,
      signal,
    });
    expect(outcome).toEqual({ rssBeforeRampBytes: 123 });
    expect(order).toEqual(["rss", "open"]);
    expect(timeline.phase).toBe("ramp");
    expect(timeline.events[0]?.detail).toBe("10 connections over 2 s");
  });
});
