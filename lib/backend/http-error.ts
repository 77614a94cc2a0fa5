// An HTTP request the backend refuses: status, machine-readable code, message, and the field at fault.
// Rendered as {"error":{"code","message","field"?}} by http-response.ts.
import { CrosspodError, type ErrorKind } from "../core/crosspod-error.js";

export class HttpError extends CrosspodError {
  constructor(
    readonly status: number,
    override readonly code: string,
    message: string,
    readonly field?: string,
    /** Extra response headers, e.g. Retry-After or WWW-Authenticate. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }

  override get kind(): ErrorKind {
    return this.status < 500 ? "usage" : "internal";
  }
}
