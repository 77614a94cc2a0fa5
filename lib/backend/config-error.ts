// Thrown when the backend's environment does not parse; the message names the variable to fix.
export class ConfigError extends Error {
  readonly code = "CROSSPOD_BACKEND_CONFIG";

  constructor(
    message: string,
    /** The environment variable at fault. */
    readonly variable: string,
  ) {
    super(message);
    this.name = "ConfigError";
  }
}
