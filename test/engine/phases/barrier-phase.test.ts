import { describe, expect, it } from "vitest";
import { type BarrierInput, barrierPhase } from "../../../lib/engine/phases/barrier-phase.js";
import { RunTimeline } from "../../../lib/engine/phases/run-timeline.js";

function input(allConnected: boolean, connected: number, rssAfterBytes: number): BarrierInput {
  return {
    timeline: new RunTimeline(0, () => 0),
    pool: {
      waitAllConnected: async (timeoutMs) => {
        expect(timeoutMs).toBe(5_000);
        return allConnected;
      },
      connected,
      connectErrors: new Map([["ECONNREFUSED", 3]]),
    },
    memory: { sampleMemory: () => rssAfterBytes },
    rssBeforeRampBytes: 1_000,
    targetConnections: 10,
    timeoutSeconds: 5,
  };
}

describe("barrierPhase", () => {
  it("counts the connections held and what each costs in RSS when all opened in time", async () => {
    const run = input(true, 10, 11_000);
    expect(await barrierPhase(run)).toEqual({
      connectionsHeld: 10,
      rssPerConnectionBytes: 1_000,
      validityReason: undefined,
    });
    expect(run.timeline.phase).toBe("connect");
  });

  it("gives no RSS figure rather than a false 0 when the RSS did not grow", async () => {
    expect((await barrierPhase(input(true, 10, 900))).rssPerConnectionBytes).toBeUndefined();
  });

  it("makes the run invalid, naming the connect errors, when not every connection opened in time", async () => {
    const outcome = await barrierPhase(input(false, 7, 2_000));
    expect(outcome.validityReason).toBe("only 7 of 10 connections were open after 5 s (ECONNREFUSED: 3)");
  });

  it("blames nobody when the run was aborted during the barrier", async () => {
    const stop = new AbortController();
    stop.abort();
    const outcome = await barrierPhase({ ...input(false, 7, 2_000), signal: stop.signal });
    expect(outcome.validityReason).toBeUndefined();
  });
});
