// Error for a workload profile knob with a bad value; `field` names the knob (or environment variable).
export class ProfileError extends Error {
  readonly code = "CROSSPOD_PROFILE";

  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = "ProfileError";
  }
}
