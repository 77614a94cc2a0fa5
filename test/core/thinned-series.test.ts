import { describe, expect, it } from "vitest";
import { ThinnedSeries } from "../../lib/core/thinned-series.js";

describe("ThinnedSeries", () => {
  it("keeps every point while there is room", () => {
    const series = new ThinnedSeries(10);
    for (let t = 0; t < 10; t++) series.add(t, t * 2);
    expect(series.values()).toEqual(Array.from({ length: 10 }, (_, t) => [t, t * 2]));
  });

  it("never holds more than its cap over a day of per-second samples, spread over the whole day", () => {
    const series = new ThinnedSeries(240);
    for (let t = 0; t < 86_400; t++) series.add(t, t);
    const points = series.values();
    expect(points.length).toBeLessThanOrEqual(240);
    expect(points.length).toBeGreaterThan(120);
    expect(points[0]).toEqual([0, 0]);
    expect(points.at(-1)?.[0]).toBeGreaterThan(86_400 - 86_400 / 120);
    const gaps = points.slice(1).map(([t], index) => t - (points[index]?.[0] ?? 0));
    expect(new Set(gaps).size).toBe(1);
  });
});
