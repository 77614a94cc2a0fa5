// Fan-out latencies of one time-series bucket in log-spaced buckets (5% wide), as sparse [index, count]
// pairs: mergeable by adding counts and cheap to ship for every VU and bucket of an hour-long soak, where
// one HdrHistogram per bucket would cost handleSummary minutes of decoding in k6. Only the time-series
// p99 (a chart value, within 5%) comes from here; the report's figures come from exact HDR histograms.

/** Bucket i holds values in (lowestMs * ratio^(i-1), lowestMs * ratio^i]; bucket 0 holds everything ≤ lowestMs. */
const lowestMs = 0.01;
const ratio = 1.05;
const logRatio = Math.log(ratio);

export type SparseCounts = Array<[index: number, count: number]>;

function indexOf(ms: number): number {
  return ms > lowestMs ? Math.ceil(Math.log(ms / lowestMs) / logRatio) : 0;
}

export class SeriesHistogram {
  private readonly counts = new Map<number, number>();
  private total = 0;

  get count(): number {
    return this.total;
  }

  recordMs(ms: number): void {
    const index = indexOf(ms);
    this.counts.set(index, (this.counts.get(index) ?? 0) + 1);
    this.total += 1;
  }

  add(counts: SparseCounts): void {
    for (const [index, count] of counts) {
      this.counts.set(index, (this.counts.get(index) ?? 0) + count);
      this.total += count;
    }
  }

  /** The upper bound of the bucket holding percentile `p` (0-100); 0 when empty. */
  percentileMs(p: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (const index of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(index) ?? 0;
      if (seen >= rank) return lowestMs * ratio ** index;
    }
    return 0;
  }

  toSparse(): SparseCounts {
    return [...this.counts];
  }

  reset(): void {
    this.counts.clear();
    this.total = 0;
  }
}
