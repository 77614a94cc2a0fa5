// The per-pod trigger rate limit: a token bucket refilled at `perSecond`, bursting to one second's worth.
// It answers how long to wait, which becomes the Retry-After of a 429.
export interface TriggerRateLimit {
  /** Takes a token at `nowMs`: 0 when allowed, else milliseconds until one is available. */
  take(nowMs: number): number;
}

export function createTriggerRateLimit(perSecond: number): TriggerRateLimit {
  if (perSecond <= 0) return { take: () => 0 };
  let tokens = perSecond;
  let lastMs: number | undefined;
  return {
    take(nowMs) {
      if (lastMs !== undefined) tokens = Math.min(perSecond, tokens + ((nowMs - lastMs) / 1000) * perSecond);
      lastMs = nowMs;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return Math.ceil(((1 - tokens) / perSecond) * 1000);
    },
  };
}
