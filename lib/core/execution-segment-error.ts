// Error for an execution segment (k6 notation: "1/3:2/3", "0:50%", "1/4") that does not parse, or a set of
// segments that does not cover a run exactly once; the message names the segment.
import { CrosspodError } from "./crosspod-error.js";

export class ExecutionSegmentError extends CrosspodError {
  override readonly code = "CROSSPOD_EXECUTION_SEGMENT";
  override readonly kind = "usage";

  constructor(message: string) {
    super(message);
    this.name = "ExecutionSegmentError";
  }
}
