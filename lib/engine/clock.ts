// The engine's one clock: epoch milliseconds with sub-millisecond resolution, monotonic within a process.
// Date.now() has 1 ms steps, which would quantise fan-out latencies that are often below 1 ms on loopback.

export function epochNowMs(): number {
  return performance.timeOrigin + performance.now();
}
