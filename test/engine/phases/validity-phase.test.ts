import { describe, expect, it } from "vitest";
import { defaultSaturationLimits } from "../../../lib/engine/generator-health.js";
import { judgeValidity, type ValidityInput } from "../../../lib/engine/phases/validity-phase.js";

function input(overrides: Partial<ValidityInput> = {}): ValidityInput {
  return {
    generator: {
      cpuFraction: 0.2,
      eventLoopLagP99Ms: 2,
      eventLoopLagMaxMs: 4,
      rssBytes: 0,
      peakRssBytes: 2 ** 26,
    },
    limits: defaultSaturationLimits,
    publisher: { sent: 100, lateStarts: 0, failuresByCause: () => ({}) },
    confirmedByFrames: 0,
    interruptedDuring: undefined,
    recoveredSessions: 0,
    rssPerConnectionBytes: 2048,
    ...overrides,
  };
}

const failing = {
  sent: 100,
  lateStarts: 0,
  failuresByCause: () => ({ timeout: 2, "http 503": 1 }),
};

describe("judgeValidity", () => {
  it("finds a healthy run valid and notes the generator's own load on the timeline", () => {
    expect(judgeValidity(input())).toEqual({
      reasons: [],
      events: [
        {
          kind: "info",
          name: "generator",
          detail:
            "cpu 20% of a core, event-loop lag p99 2.0 ms, peak rss 64 MiB, 2.0 KiB rss per connection, late trigger starts 0",
        },
      ],
    });
  });

  it("makes a saturated generator's run invalid", () => {
    const { reasons } = judgeValidity(input({ generator: { ...input().generator, cpuFraction: 0.95 } }));
    expect(reasons).toEqual([expect.stringContaining("load generator CPU 95% of a core > 80%")]);
  });

  it("keeps a run whose system refused triggers valid, putting the failures on the timeline", () => {
    const outcome = judgeValidity(input({ publisher: failing, confirmedByFrames: 1 }));
    expect(outcome.reasons).toEqual([]);
    expect(outcome.events[0]).toEqual({
      kind: "info",
      name: "triggers-failed",
      detail:
        "3 of 100 triggers failed (timeout: 2, http 503: 1); 1 of them reached clients anyway: judged by crosspod_trigger_failures",
    });
  });

  it("makes triggers the generator could not send itself invalidate the run, apart from refused ones", () => {
    const publisher = { ...failing, failuresByCause: () => ({ ECONNREFUSED: 4, EMFILE: 2, overloaded: 1 }) };
    const outcome = judgeValidity(input({ publisher }));
    expect(outcome.reasons).toEqual([
      "the load generator could not send 3 of 100 triggers (EMFILE: 2, overloaded: 1)",
    ]);
    expect(outcome.events[0]?.detail).toBe(
      "4 of 100 triggers failed (ECONNREFUSED: 4): judged by crosspod_trigger_failures",
    );
  });

  it("names the phase an interrupted run stopped in, and notes recovered sessions", () => {
    const outcome = judgeValidity(input({ interruptedDuring: "trigger", recoveredSessions: 4 }));
    expect(outcome.reasons).toEqual(["run interrupted during the trigger phase"]);
    expect(outcome.events.map((event) => event.name)).toEqual(["sessions-recovered", "generator"]);
  });
});
