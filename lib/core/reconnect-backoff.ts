// Reconnect delays: exponential backoff with full jitter, so thousands of clients dropped by one pod
// do not reconnect in lockstep and knock the surviving pods over (the thundering herd).

export interface BackoffPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Attempts after one disconnect before the connection gives up. */
  maxAttempts: number;
  /** Time after one disconnect after which the connection gives up, whatever the attempt count. */
  giveUpAfterMs: number;
}

export const defaultBackoffPolicy: BackoffPolicy = {
  initialDelayMs: 100,
  maxDelayMs: 5_000,
  maxAttempts: 12,
  giveUpAfterMs: 60_000,
};

/** Delay before attempt `attempt` (1-based): uniform in [cap/2, cap] where cap doubles per attempt. */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random) {
  const cap = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return cap / 2 + random() * (cap / 2);
}

/** Whether another attempt is allowed after `attempt` attempts, `elapsedMs` after the disconnect. */
export function mayRetry(attempt: number, elapsedMs: number, policy: BackoffPolicy): boolean {
  return attempt < policy.maxAttempts && elapsedMs < policy.giveUpAfterMs;
}
