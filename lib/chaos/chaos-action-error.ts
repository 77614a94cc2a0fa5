// Error for a chaos action the controller cannot run: an unknown target, or a target this cluster lacks
// (an external Redis, a link without a fault proxy). The message names the target and what exists.
export class ChaosActionError extends Error {
  constructor(
    message: string,
    readonly code: "CROSSPOD_CHAOS_TARGET" | "CROSSPOD_CHAOS_UNAVAILABLE",
  ) {
    super(message);
    this.name = "ChaosActionError";
  }
}
