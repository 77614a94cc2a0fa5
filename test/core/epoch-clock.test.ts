// The engine's clock agrees with the wall clock a backend stamps published_at with, even when the
// monotonic clock's origin is off by milliseconds (as performance.timeOrigin can be): otherwise every
// fan-out figure shifts by the difference and fan-out p50 can exceed end-to-end p50.
import { describe, expect, it } from "vitest";
import { createEpochClock, epochNowMs } from "../../lib/core/epoch-clock.js";

/** A simulated pair of clocks: monotonic time advances by `stepMs` per read; wall = floor(true time + skew). */
function simulated(stepMs: number) {
  let trueMs = 1_700_000_000_000.25;
  let wallSkewMs = 0;
  return {
    sources: {
      wallMs: () => {
        trueMs += stepMs;
        return Math.floor(trueMs + wallSkewMs);
      },
      monotonicMs: () => {
        trueMs += stepMs;
        return trueMs - 1_699_000_000_000 + 2.6; // an origin 2.6 ms off, as timeOrigin may be
      },
    },
    trueMs: () => trueMs,
    stepWall: (ms: number) => {
      wallSkewMs += ms;
    },
    wallNow: () => trueMs + wallSkewMs,
  };
}

describe("engine clock", () => {
  it("reads the wall clock's time with sub-millisecond resolution, not the monotonic origin's", () => {
    const clock = simulated(0.01);
    const now = createEpochClock(clock.sources);
    for (let i = 0; i < 1000; i++) {
      const reading = now();
      expect(Math.abs(reading - clock.wallNow())).toBeLessThan(0.05);
    }
    expect(now() % 1).not.toBe(0);
  });

  it("follows the wall clock when it is stepped or slewed away during a run", () => {
    const clock = simulated(0.05);
    const now = createEpochClock(clock.sources);
    now();
    clock.stepWall(5);
    // Within a second of monotonic time the clock has re-anchored.
    for (let i = 0; i < 30_000; i++) now();
    expect(Math.abs(now() - clock.wallNow())).toBeLessThan(1);
  });

  it("agrees with Date.now() in this process to within its millisecond", () => {
    for (let i = 0; i < 100; i++) {
      const before = Date.now();
      const reading = epochNowMs();
      const after = Date.now();
      expect(reading).toBeGreaterThanOrEqual(before - 1);
      expect(reading).toBeLessThan(after + 2);
    }
  });
});
