// Error for a chaos action the controller cannot run: an unknown target, or a target this cluster lacks
// (an external Redis, a link without a fault proxy). The message names the target and what exists.
import { CrosspodError, type ErrorKind } from "../core/crosspod-error.js";

export class ChaosActionError extends CrosspodError {
  constructor(
    message: string,
    override readonly code: "CROSSPOD_CHAOS_TARGET" | "CROSSPOD_CHAOS_UNAVAILABLE",
  ) {
    super(message);
    this.name = "ChaosActionError";
  }

  override get kind(): ErrorKind {
    return this.code === "CROSSPOD_CHAOS_TARGET" ? "usage" : "environment";
  }
}
