import { describe, expect, it } from "vitest";
import { SeriesHistogram } from "../../scenarios/lib/k6-series-histogram.js";

describe("SeriesHistogram", () => {
  it("reads percentiles within 5% of the exact value", () => {
    const histogram = new SeriesHistogram();
    for (let ms = 1; ms <= 1000; ms++) histogram.recordMs(ms);
    expect(histogram.percentileMs(99)).toBeGreaterThanOrEqual(990);
    expect(histogram.percentileMs(99)).toBeLessThanOrEqual(990 * 1.05);
    expect(histogram.percentileMs(50)).toBeGreaterThanOrEqual(500);
    expect(histogram.percentileMs(50)).toBeLessThanOrEqual(500 * 1.05);
  });

  it("merges by adding sparse counts, as if one histogram had seen every value", () => {
    const [a, b, both] = [new SeriesHistogram(), new SeriesHistogram(), new SeriesHistogram()];
    for (let i = 0; i < 300; i++) {
      const ms = (i * 7.3) % 250;
      (i % 2 === 0 ? a : b).recordMs(ms);
      both.recordMs(ms);
    }
    const merged = new SeriesHistogram();
    merged.add(a.toSparse());
    merged.add(b.toSparse());
    expect(merged.count).toBe(300);
    expect(merged.percentileMs(99)).toBe(both.percentileMs(99));
    expect(merged.percentileMs(10)).toBe(both.percentileMs(10));
  });

  it("keeps sub-10-µs and zero values in its lowest bucket and is empty after a reset", () => {
    const histogram = new SeriesHistogram();
    histogram.recordMs(0);
    histogram.recordMs(-3);
    expect(histogram.percentileMs(100)).toBe(0.01);
    histogram.reset();
    expect(histogram.count).toBe(0);
    expect(histogram.percentileMs(99)).toBe(0);
  });
});
