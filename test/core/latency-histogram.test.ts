import fc from "fast-check";
import { constructorFromBucketSize } from "hdr-histogram-js/dist/JsHistogramFactory.js";
import { describe, expect, it } from "vitest";
import { HistogramError } from "../../lib/core/histogram-error.js";
import { LatencyHistogram } from "../../lib/core/latency-histogram.js";
import { latencySummarySchema } from "../../lib/core/report-model.js";

function histogramOf(values: readonly number[]): LatencyHistogram {
  const histogram = new LatencyHistogram();
  for (const value of values) histogram.recordMs(value);
  return histogram;
}

const latenciesMs = fc.array(fc.double({ min: 0, max: 120_000, noNaN: true }), { maxLength: 300 });

describe("LatencyHistogram", () => {
  it("summarises an empty histogram as all zeros", () => {
    expect(new LatencyHistogram().summary()).toEqual({
      count: 0,
      min: 0,
      mean: 0,
      p50: 0,
      p90: 0,
      p99: 0,
      p999: 0,
      max: 0,
    });
  });

  it("reads percentiles within 0.1% (3 significant digits) of the recorded values", () => {
    const histogram = histogramOf(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(histogram.count).toBe(1000);
    expect(Math.abs(histogram.percentileMs(50) - 500) / 500).toBeLessThan(0.001);
    expect(Math.abs(histogram.percentileMs(99) - 990) / 990).toBeLessThan(0.001);
    expect(Math.abs(histogram.summary().max - 1000) / 1000).toBeLessThan(0.001);
    expect(histogram.summary().min).toBeCloseTo(1, 2);
  });

  it("reads the same percentiles and mean as hdr-histogram-js itself", () => {
    const Float64Histogram = constructorFromBucketSize(64);
    fc.assert(
      fc.property(latenciesMs, fc.double({ min: 0, max: 100, noNaN: true }), (values, p) => {
        const reference = new Float64Histogram(1, 3_600_000_000, 3);
        for (const value of values) reference.recordValue(Math.round(value * 1000));
        const histogram = histogramOf(values);
        expect(histogram.percentileMs(p)).toBe(
          values.length === 0 ? 0 : reference.getValueAtPercentile(p) / 1000,
        );
        expect(histogram.summary().p999).toBe(
          values.length === 0 ? 0 : reference.getValueAtPercentile(99.9) / 1000,
        );
        expect(histogram.summary().mean).toBeCloseTo(values.length === 0 ? 0 : reference.mean / 1000, 9);
      }),
      { numRuns: 40 },
    );
  });

  it("keeps microsecond resolution for sub-millisecond latencies", () => {
    const histogram = histogramOf([0.25, 0.5, 0.75]);
    expect(histogram.percentileMs(0)).toBe(0.25);
    expect(histogram.percentileMs(100)).toBe(0.75);
  });

  it("clamps negative values to 0 and values above one hour to one hour", () => {
    const histogram = histogramOf([-3, 10 * 3_600_000]);
    expect(histogram.percentileMs(0)).toBe(0);
    const max = histogram.percentileMs(100);
    expect(max).toBeGreaterThanOrEqual(3_600_000);
    expect(max).toBeLessThan(3_600_000 * 1.001);
  });

  it("rejects a percentile outside 0..100 with an error naming it", () => {
    expect(() => new LatencyHistogram().percentileMs(101)).toThrow(/percentile 101/);
    expect(() => new LatencyHistogram().percentileMs(Number.NaN)).toThrow(HistogramError);
  });

  it("produces summaries that validate against the report schema", () => {
    expect(latencySummarySchema.safeParse(histogramOf([1, 2, 3.5]).summary()).success).toBe(true);
  });

  it("merges exactly: merged percentiles equal one histogram fed all values", () => {
    fc.assert(
      fc.property(latenciesMs, latenciesMs, fc.double({ min: 0, max: 100, noNaN: true }), (a, b, p) => {
        const merged = histogramOf(a);
        merged.merge(histogramOf(b));
        const single = histogramOf([...a, ...b]);
        expect(merged.summary()).toEqual(single.summary());
        expect(merged.percentileMs(p)).toBe(single.percentileMs(p));
      }),
      { numRuns: 60 },
    );
  });

  it("round-trips through its base64 encoding with the same summary and percentiles", () => {
    fc.assert(
      fc.property(latenciesMs, (values) => {
        const original = histogramOf(values);
        const decoded = LatencyHistogram.decode(original.encode());
        expect(decoded.summary()).toEqual(original.summary());
        expect(decoded.percentileMs(95)).toBe(original.percentileMs(95));
      }),
      { numRuns: 40 },
    );
  });

  it("merges decoded histograms from several processes exactly", () => {
    const parts = [
      [1, 2, 3],
      [400, 500],
      [0.5, 7000],
    ];
    const merged = new LatencyHistogram();
    for (const part of parts) merged.merge(LatencyHistogram.decode(histogramOf(part).encode()));
    expect(merged.summary()).toEqual(histogramOf(parts.flat()).summary());
  });

  it("rejects an encoding that is not base64 or not a histogram, naming it", () => {
    expect(() => LatencyHistogram.decode("not base64!")).toThrow(/"not base64!" is not base64/);
    expect(() => LatencyHistogram.decode("QUJDREVGR0g=")).toThrow(HistogramError);
  });

  it("forgets everything on reset", () => {
    const histogram = histogramOf([5, 6]);
    histogram.reset();
    expect(histogram.count).toBe(0);
    expect(histogram.summary().max).toBe(0);
  });
});
