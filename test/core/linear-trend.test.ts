import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LinearTrend, leastSquaresSlope } from "../../lib/core/linear-trend.js";

describe("leastSquaresSlope", () => {
  it("finds the slope of points on a line", () => {
    expect(
      leastSquaresSlope([
        [0, 1],
        [1, 3],
        [2, 5],
        [3, 7],
      ]),
    ).toBeCloseTo(2, 12);
  });

  it("fits noisy points by least squares, not by their ends", () => {
    // Ends alone give (4 − 0) / 3; least squares over all four gives 1.1.
    expect(
      leastSquaresSlope([
        [0, 0],
        [1, 2],
        [2, 2],
        [3, 4],
      ]),
    ).toBeCloseTo(1.2, 12);
  });

  it("has no slope with fewer than two distinct times", () => {
    expect(leastSquaresSlope([])).toBeUndefined();
    expect(leastSquaresSlope([[5, 1]])).toBeUndefined();
    expect(
      leastSquaresSlope([
        [5, 1],
        [5, 9],
      ]),
    ).toBeUndefined();
  });

  it("ignores samples that are not finite numbers", () => {
    expect(
      leastSquaresSlope([
        [0, 0],
        [1, Number.NaN],
        [2, 4],
      ]),
    ).toBeCloseTo(2, 12);
  });
});

describe("LinearTrend", () => {
  it("keeps the slope exact a week into a run, where raw sums of t² would cancel", () => {
    const trend = new LinearTrend();
    const weekSeconds = 7 * 86_400;
    // 0.5 MiB per hour on top of 300 MiB, sampled every 15 s over the last hour of a week.
    for (let t = weekSeconds - 3600; t <= weekSeconds; t += 15) trend.add(t, 300 + (0.5 * t) / 3600);
    expect((trend.slope() ?? 0) * 3600).toBeCloseTo(0.5, 9);
    expect(trend.count).toBe(241);
    expect(trend.span).toBe(3600);
  });

  it("agrees with the textbook formula on any set of points", () => {
    const points = fc.array(
      fc.tuple(
        fc.double({ min: -1e4, max: 1e4, noNaN: true }),
        fc.double({ min: -1e4, max: 1e4, noNaN: true }),
      ),
      { minLength: 2, maxLength: 50 },
    );
    fc.assert(
      fc.property(points, (pairs) => {
        const n = pairs.length;
        const meanT = pairs.reduce((sum, [t]) => sum + t, 0) / n;
        const meanY = pairs.reduce((sum, [, y]) => sum + y, 0) / n;
        let sxx = 0;
        let sxy = 0;
        for (const [t, y] of pairs) {
          sxx += (t - meanT) ** 2;
          sxy += (t - meanT) * (y - meanY);
        }
        const slope = leastSquaresSlope(pairs);
        if (sxx < 1e-6) return true;
        expect(slope).toBeDefined();
        expect(slope as number).toBeCloseTo(sxy / sxx, 4);
        return true;
      }),
    );
  });
});
