// Error for the runners of a split run failing to meet through Redis: a runner that never became ready or
// never finished publishing (the message names the missing segments), or unreadable shared state.
import { CrosspodError } from "../core/crosspod-error.js";

export class SegmentCoordinationError extends CrosspodError {
  override readonly code = "CROSSPOD_SEGMENT_COORDINATION";
  override readonly kind = "environment";

  constructor(message: string) {
    super(message);
    this.name = "SegmentCoordinationError";
  }
}
