import { describe, expect, it } from "vitest";
import {
  formatCount,
  formatDuration,
  formatMs,
  formatOffset,
  formatPercent,
} from "../../lib/report/figure-format.js";

describe("figure formatting", () => {
  it("groups thousands without Intl", () => {
    expect(formatCount(0)).toBe("0");
    expect(formatCount(999)).toBe("999");
    expect(formatCount(1_234_567)).toBe("1,234,567");
  });

  it("gives latencies precision that shrinks as they grow", () => {
    expect([0, 0.8531, 8.967, 21.64, 640.5, 12_345].map(formatMs)).toEqual([
      "0",
      "0.853",
      "8.97",
      "21.6",
      "641",
      "12,345",
    ]);
  });

  it("tells 99.95% apart from 100%", () => {
    expect(formatPercent(0.9995)).toBe("99.95%");
    expect(formatPercent(0.999_999_9)).toBe("99.999%");
    expect(formatPercent(1)).toBe("100%");
  });

  it("writes durations and run offsets the way people read them", () => {
    expect(formatDuration(40)).toBe("40.0 s");
    expect(formatDuration(245)).toBe("4 m 05 s");
    expect(formatDuration(7830)).toBe("2 h 10 m");
    expect(formatOffset(3725)).toBe("1:02:05");
  });
});
