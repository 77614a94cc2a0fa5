// Error for a latency histogram used or decoded wrongly (bad percentile, corrupt or foreign encoding).
import { CrosspodError } from "./crosspod-error.js";

export class HistogramError extends CrosspodError {
  override readonly code = "CROSSPOD_HISTOGRAM";
  override readonly kind = "internal";

  constructor(message: string) {
    super(message);
    this.name = "HistogramError";
  }
}
