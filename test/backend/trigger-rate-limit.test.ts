// The trigger rate limit's token bucket, on an explicit clock.
import { describe, expect, it } from "vitest";
import { createTriggerRateLimit } from "../../lib/backend/trigger-rate-limit.js";

describe("trigger rate limit", () => {
  it("allows a burst of one second's worth, then says how long to wait", () => {
    const limit = createTriggerRateLimit(4);
    expect([0, 0, 0, 0].map(() => limit.take(1000))).toEqual([0, 0, 0, 0]);
    expect(limit.take(1000)).toBe(250);
    expect(limit.take(1100)).toBe(150);
    expect(limit.take(1250)).toBe(0);
  });

  it("refills at the configured rate without exceeding the burst", () => {
    const limit = createTriggerRateLimit(2);
    limit.take(0);
    limit.take(0);
    const afterLongIdle = [0, 0, 0].map(() => limit.take(60_000));
    expect(afterLongIdle).toEqual([0, 0, 500]);
  });

  it("never limits when the rate is 0", () => {
    const limit = createTriggerRateLimit(0);
    expect(Array.from({ length: 10_000 }, () => limit.take(0)).every((wait) => wait === 0)).toBe(true);
  });
});
