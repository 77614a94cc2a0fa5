import { describe, expect, it } from "vitest";
import { createTokenBucket } from "../../lib/cluster/token-bucket.js";

describe("token bucket", () => {
  it("allows a burst, refuses past it, and refills at the rate", () => {
    const bucket = createTokenBucket(10, 3);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(bucket.take(50)).toBe(false);
    expect(bucket.take(100)).toBe(true);
    expect(bucket.take(100)).toBe(false);
  });

  it("never stores more than the burst however long it idles", () => {
    const bucket = createTokenBucket(100, 2);
    bucket.take(0);
    const taken = [1, 2, 3].map(() => bucket.take(60_000));
    expect(taken).toEqual([true, true, false]);
  });
});
