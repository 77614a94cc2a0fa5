// Least-squares slope of a series, kept as running sums so an hours-long soak holds O(1) memory per series
// however often it samples. Welford-style centred updates: raw sums of t² over a week of seconds lose the
// slope to cancellation, centred ones do not.

export class LinearTrend {
  private n = 0;
  private meanT = 0;
  private meanY = 0;
  /** Σ (t − mean t)². */
  private sxx = 0;
  /** Σ (t − mean t)(y − mean y). */
  private sxy = 0;
  private firstT = Number.NaN;
  private lastT = Number.NaN;

  add(t: number, y: number): void {
    if (!Number.isFinite(t) || !Number.isFinite(y)) return;
    this.n += 1;
    const dt = t - this.meanT;
    this.meanT += dt / this.n;
    this.meanY += (y - this.meanY) / this.n;
    // Uses the old mean of t and the new mean of y, which keeps the co-moment exact (Welford).
    this.sxx += dt * (t - this.meanT);
    this.sxy += dt * (y - this.meanY);
    if (this.n === 1) this.firstT = t;
    this.lastT = t;
  }

  get count(): number {
    return this.n;
  }

  /** Span of t covered by the samples (last − first), 0 with fewer than two. */
  get span(): number {
    return this.n < 2 ? 0 : this.lastT - this.firstT;
  }

  /** Change of y per unit of t; undefined with fewer than two distinct times. */
  slope(): number | undefined {
    if (this.n < 2 || this.sxx <= 0) return undefined;
    return this.sxy / this.sxx;
  }
}

/** The least-squares slope of `points` ([t, y]), undefined with fewer than two distinct t. */
export function leastSquaresSlope(points: readonly (readonly [number, number])[]): number | undefined {
  const trend = new LinearTrend();
  for (const [t, y] of points) trend.add(t, y);
  return trend.slope();
}
