// Error for a chaos schedule or action that does not parse; the message names the bad step and part.
export class ChaosScheduleError extends Error {
  readonly code = "CROSSPOD_CHAOS_SCHEDULE";

  constructor(message: string) {
    super(message);
    this.name = "ChaosScheduleError";
  }
}
