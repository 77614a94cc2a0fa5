// Error for a target the engines cannot run against: unreachable, no hello, listed twice, two URLs that
// claim one pod, a trigger pod that is not among the targets. The message names the target or the option.
import { CrosspodError } from "./crosspod-error.js";

export class TargetError extends CrosspodError {
  override readonly code = "CROSSPOD_TARGET";
  override readonly kind = "unreachable";

  constructor(message: string) {
    super(message);
    this.name = "TargetError";
  }
}
