// Error for a chaos schedule or action that does not parse; the message names the bad step and part.
import { CrosspodError } from "./crosspod-error.js";

export class ChaosScheduleError extends CrosspodError {
  override readonly code = "CROSSPOD_CHAOS_SCHEDULE";
  override readonly kind = "usage";

  constructor(
    message: string,
    /** For an action given as an object (control API body): the field at fault, "body" for the whole value. */
    readonly field?: string,
  ) {
    super(message);
    this.name = "ChaosScheduleError";
  }
}
