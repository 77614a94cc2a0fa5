// Error for an execution segment (k6 notation: "1/3:2/3", "0:50%", "1/4") that does not parse, or a set of
// segments that does not cover a run exactly once; the message names the segment.
export class ExecutionSegmentError extends Error {
  readonly code = "CROSSPOD_EXECUTION_SEGMENT";

  constructor(message: string) {
    super(message);
    this.name = "ExecutionSegmentError";
  }
}
