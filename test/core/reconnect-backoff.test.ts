import { describe, expect, it } from "vitest";
import { backoffDelayMs, defaultBackoffPolicy, mayRetry } from "../../lib/core/reconnect-backoff.js";

const policy = { initialDelayMs: 100, maxDelayMs: 1_000, maxAttempts: 5, giveUpAfterMs: 10_000 };

describe("reconnect backoff", () => {
  it("doubles the delay cap per attempt up to the maximum", () => {
    expect(backoffDelayMs(1, policy, () => 1)).toBe(100);
    expect(backoffDelayMs(2, policy, () => 1)).toBe(200);
    expect(backoffDelayMs(4, policy, () => 1)).toBe(800);
    expect(backoffDelayMs(9, policy, () => 1)).toBe(1_000);
  });

  it("jitters each delay between half the cap and the cap, so dropped clients do not reconnect in lockstep", () => {
    expect(backoffDelayMs(3, policy, () => 0)).toBe(200);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(300);
  });

  it("gives up after the attempt limit or the time limit, whichever comes first", () => {
    expect(mayRetry(4, 0, policy)).toBe(true);
    expect(mayRetry(5, 0, policy)).toBe(false);
    expect(mayRetry(1, 10_000, policy)).toBe(false);
    expect(mayRetry(0, 0, defaultBackoffPolicy)).toBe(true);
  });
});
