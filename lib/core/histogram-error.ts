// Error for a latency histogram used or decoded wrongly (bad percentile, corrupt or foreign encoding).
export class HistogramError extends Error {
  readonly code = "CROSSPOD_HISTOGRAM";

  constructor(message: string) {
    super(message);
    this.name = "HistogramError";
  }
}
