// The last `size` render latencies, for the header's p50/p99: a ring buffer, sorted only when read
// (once a second), so adding stays O(1) on the render path.
export interface LatencyWindow {
  add(latencyMs: number): void;
  /** Nearest-rank percentiles over the window, or undefined while it is empty. */
  percentiles(): { p50: number; p99: number } | undefined;
}

export function createLatencyWindow(size: number): LatencyWindow {
  const values = new Float64Array(size);
  let count = 0;
  let next = 0;
  return {
    add(latencyMs) {
      values[next] = latencyMs;
      next = (next + 1) % size;
      count = Math.min(size, count + 1);
    },
    percentiles() {
      if (count === 0) return undefined;
      const sorted = values.slice(0, count).sort();
      const rank = (p: number) => sorted[Math.min(count - 1, Math.ceil((p / 100) * count) - 1)] ?? 0;
      return { p50: rank(50), p99: rank(99) };
    },
  };
}
