import { describe, expect, it } from "vitest";
import { renderK6TextSummary } from "../../scenarios/lib/k6-text-summary.js";

describe("renderK6TextSummary", () => {
  it("prints every trend's stats in one order (avg min med max, then percentiles ascending), whatever order k6 hands them in", () => {
    const trend = (values: Record<string, number>) => ({
      type: "trend" as const,
      contains: "time" as const,
      values,
    });
    const text = renderK6TextSummary({
      metrics: {
        crosspod_e2e_latency: trend({
          "p(99)": 9,
          max: 10,
          "p(90)": 8,
          avg: 5,
          min: 1,
          med: 4,
          "p(99.9)": 9.5,
        }),
        crosspod_fanout_latency: trend({
          med: 4,
          "p(90)": 8,
          min: 1,
          avg: 5,
          "p(99)": 9,
          max: 10,
          "p(99.9)": 9.5,
        }),
      },
      state: { testRunDurationMs: 1000 },
    });
    const stats = text
      .split("\n")
      .filter((line) => line.includes("_latency"))
      .map((line) => [...line.matchAll(/ ([a-z]+|p\([\d.]+\))=/g)].map((match) => match[1]));
    expect(stats).toEqual([
      ["avg", "min", "med", "max", "p(90)", "p(99)", "p(99.9)"],
      ["avg", "min", "med", "max", "p(90)", "p(99)", "p(99.9)"],
    ]);
  });
});
