// Error for a workload profile knob with a bad value; `field` names the knob (or environment variable).
import { CrosspodError } from "./crosspod-error.js";

export class ProfileError extends CrosspodError {
  override readonly code = "CROSSPOD_PROFILE";
  override readonly kind = "usage";

  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = "ProfileError";
  }
}
