// Redis cannot take a command right now (disconnected, reconnecting or timing out); maps to HTTP 503.
import { CrosspodError } from "../core/crosspod-error.js";

export class BusUnavailableError extends CrosspodError {
  override readonly code = "CROSSPOD_BUS_UNAVAILABLE";
  override readonly kind = "unreachable";

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BusUnavailableError";
  }
}
