import { describe, expect, it } from "vitest";
import { createLatencyWindow } from "../../lib/console/latency-window.js";

describe("console latency window", () => {
  it("has no percentiles while empty", () => {
    expect(createLatencyWindow(10).percentiles()).toBeUndefined();
  });

  it("gives nearest-rank p50 and p99 over the values added", () => {
    const window = createLatencyWindow(1000);
    for (let ms = 1; ms <= 100; ms++) window.add(ms);
    expect(window.percentiles()).toEqual({ p50: 50, p99: 99 });
  });

  it("forgets values older than its size", () => {
    const window = createLatencyWindow(3);
    for (const ms of [500, 500, 500, 1, 2, 3]) window.add(ms);
    expect(window.percentiles()).toEqual({ p50: 2, p99: 3 });
  });
});
