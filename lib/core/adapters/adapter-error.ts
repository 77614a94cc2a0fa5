// A target that cannot work as configured: the message names the target-file field (or variable) at fault.
import { CrosspodError } from "../crosspod-error.js";

export class AdapterError extends CrosspodError {
  override readonly code = "CROSSPOD_TARGET_FILE";
  override readonly kind = "usage";

  constructor(
    /** Dotted path of the field at fault, e.g. "frames.probe" or "trigger.auth.env". */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "AdapterError";
  }
}
