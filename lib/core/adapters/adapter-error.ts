// A target that cannot work as configured: the message names the target-file field (or variable) at fault.
export class AdapterError extends Error {
  readonly code = "CROSSPOD_TARGET_FILE";

  constructor(
    /** Dotted path of the field at fault, e.g. "frames.probe" or "trigger.auth.env". */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "AdapterError";
  }
}
