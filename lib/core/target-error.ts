// Error for a target the engines cannot run against: unreachable, no hello, listed twice, two URLs that
// claim one pod, a trigger pod that is not among the targets. The message names the target or the option.
export class TargetError extends Error {
  readonly code = "CROSSPOD_TARGET";

  constructor(message: string) {
    super(message);
    this.name = "TargetError";
  }
}
