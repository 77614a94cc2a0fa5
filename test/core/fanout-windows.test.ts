import { describe, expect, it } from "vitest";
import { FanoutWindows, fanoutP99Drift } from "../../lib/core/fanout-windows.js";
import { LatencyHistogram } from "../../lib/core/latency-histogram.js";

function second(latencyMs: number, frames = 100): LatencyHistogram {
  const histogram = new LatencyHistogram();
  for (let i = 0; i < frames; i++) histogram.recordMs(latencyMs);
  return histogram;
}

describe("FanoutWindows", () => {
  it("closes a window per windowSeconds and leaves the one still filling out", () => {
    const windows = new FanoutWindows(2, 10);
    for (let t = 3; t <= 32; t++) windows.add(t, second(t <= 12 ? 5 : 20));
    const closed = windows.windows();
    expect(closed.map((w) => w.t)).toEqual([2, 12]);
    expect(closed[0]).toMatchObject({ count: 1000 });
    expect(closed[0]?.p99Ms).toBeCloseTo(5, 1);
    expect(closed[1]?.p99Ms).toBeCloseTo(20, 1);
  });

  it("records an empty window when a gap in the seconds spans it", () => {
    const windows = new FanoutWindows(0, 5);
    windows.add(1, second(3));
    windows.add(16, second(3));
    expect(windows.windows().map((w) => [w.t, w.count])).toEqual([
      [0, 100],
      [5, 0],
      [10, 0],
    ]);
  });
});

describe("fanoutP99Drift", () => {
  const windows = [
    { t: 0, p99Ms: 50, count: 10 },
    { t: 60, p99Ms: 10, count: 10 },
    { t: 120, p99Ms: 0, count: 0 },
    { t: 180, p99Ms: 12, count: 10 },
    { t: 240, p99Ms: 15, count: 10 },
  ];

  it("divides the last steady window's p99 by the first's, skipping the warm-up and empty windows", () => {
    expect(fanoutP99Drift(windows, 60)).toBeCloseTo(1.5, 12);
  });

  it("has no ratio with fewer than two steady windows", () => {
    expect(fanoutP99Drift(windows, 240)).toBeNull();
    expect(fanoutP99Drift([], 0)).toBeNull();
  });
});
