// The token bucket shared by the backend's trigger rate limit and the Faro collector, on an explicit clock.
import { describe, expect, it } from "vitest";
import { createTokenBucket } from "../../lib/core/token-bucket.js";

describe("token bucket", () => {
  it("allows a burst, refuses past it, and refills at the rate", () => {
    const bucket = createTokenBucket(10, 3);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([0, 0, 0, 100]);
    expect(bucket.take(50)).toBe(50);
    expect(bucket.take(100)).toBe(0);
    expect(bucket.take(100)).toBe(100);
  });

  it("never stores more than the burst however long it idles", () => {
    const bucket = createTokenBucket(100, 2);
    bucket.take(0);
    const waits = [1, 2, 3].map(() => bucket.take(60_000));
    expect(waits).toEqual([0, 0, 10]);
  });
});
