// Error for a chaos schedule or action that does not parse; the message names the bad step and part.
export class ChaosScheduleError extends Error {
  readonly code = "CROSSPOD_CHAOS_SCHEDULE";

  constructor(
    message: string,
    /** For an action given as an object (control API body): the field at fault, "body" for the whole value. */
    readonly field?: string,
  ) {
    super(message);
    this.name = "ChaosScheduleError";
  }
}
