// The per-pod trigger rate limit: the core token bucket refilled at `perSecond`, bursting to one second's
// worth, or no limit at all when `perSecond` is 0. Its wait becomes the Retry-After of a 429.
import { createTokenBucket, type TokenBucket } from "../core/token-bucket.js";

export type TriggerRateLimit = TokenBucket;

export function createTriggerRateLimit(perSecond: number): TriggerRateLimit {
  if (perSecond <= 0) return { take: () => 0 };
  return createTokenBucket(perSecond);
}
