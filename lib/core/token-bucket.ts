// A token bucket: `ratePerSecond` sustained, bursts up to `burst`. Runtime-neutral: time comes in as an
// argument, so the caller owns the clock and tests need no timers. It answers how long to wait, which a
// server can send as Retry-After.
export interface TokenBucket {
  /** Takes one token at `nowMs`: 0 when taken, else milliseconds until one is available. */
  take(nowMs: number): number;
}

export function createTokenBucket(ratePerSecond: number, burst = ratePerSecond): TokenBucket {
  let tokens = burst;
  let lastMs: number | undefined;
  return {
    take(nowMs) {
      if (lastMs !== undefined) tokens = Math.min(burst, tokens + ((nowMs - lastMs) / 1000) * ratePerSecond);
      lastMs = nowMs;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return Math.ceil(((1 - tokens) / ratePerSecond) * 1000);
    },
  };
}
