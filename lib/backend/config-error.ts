// Thrown when the backend's environment does not parse; the message names the variable to fix.
import { CrosspodError } from "../core/crosspod-error.js";

export class ConfigError extends CrosspodError {
  override readonly code = "CROSSPOD_BACKEND_CONFIG";
  override readonly kind = "usage";

  constructor(
    message: string,
    /** The environment variable at fault. */
    readonly variable: string,
  ) {
    super(message);
    this.name = "ConfigError";
  }
}
