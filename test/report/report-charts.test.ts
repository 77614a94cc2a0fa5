import { describe, expect, it } from "vitest";
import type { TimeSeriesPoint } from "../../lib/core/report-model.js";
import { countsPerSecond } from "../../lib/report/report-charts.js";

function point(t: number, triggers: number): TimeSeriesPoint {
  return { t, connections: 10, triggers, framesPerSecond: 0, fanoutP99Ms: 0, errors: 0 };
}

describe("countsPerSecond", () => {
  it("plots a constant trigger rate flat even when a lagging generator sampled late", () => {
    // 20 triggers/s, sampled after 1 s, then 2.5 s, then 1.5 s: counts 20, 50, 30.
    const points = [point(1, 20), point(3.5, 50), point(5, 30)];
    expect(countsPerSecond(points, (p) => p.triggers)).toEqual([
      [1, 20],
      [3.5, 20],
      [5, 20],
    ]);
  });

  it("keeps the count of a point that shares the previous point's time", () => {
    expect(countsPerSecond([point(0, 3)], (p) => p.triggers)).toEqual([[0, 3]]);
  });
});
