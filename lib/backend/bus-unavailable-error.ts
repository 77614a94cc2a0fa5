// Redis cannot take a command right now (disconnected, reconnecting or timing out); maps to HTTP 503.
export class BusUnavailableError extends Error {
  readonly code = "CROSSPOD_BUS_UNAVAILABLE";

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BusUnavailableError";
  }
}
