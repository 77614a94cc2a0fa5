// A token bucket: `ratePerSecond` sustained, bursts up to `burst`. Time comes in as an argument so the
// caller owns the clock and tests need no timers.
export interface TokenBucket {
  /** Takes one token if there is one; false means "over the rate, try later". */
  take(nowMs: number): boolean;
}

export function createTokenBucket(ratePerSecond: number, burst = ratePerSecond): TokenBucket {
  let tokens = burst;
  let lastMs: number | undefined;
  return {
    take(nowMs) {
      if (lastMs !== undefined) tokens = Math.min(burst, tokens + ((nowMs - lastMs) / 1000) * ratePerSecond);
      lastMs = nowMs;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
