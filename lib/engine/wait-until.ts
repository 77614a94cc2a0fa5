// Bounded polling for engine phase changes that are sums over thousands of connections (all connected,
// all at the head seq), where one event per connection would cost more than a look every few ms.

export async function waitUntil(
  condition: () => boolean,
  options: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal },
): Promise<boolean> {
  const deadline = performance.now() + options.timeoutMs;
  const intervalMs = options.intervalMs ?? 50;
  for (;;) {
    if (condition()) return true;
    if (options.signal?.aborted || performance.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, deadline - performance.now())));
  }
}
