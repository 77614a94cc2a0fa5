// An HTTP request the backend refuses: status, machine-readable code, message, and the field at fault.
// Rendered as {"error":{"code","message","field"?}} by http-response.ts.
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** Extra response headers, e.g. Retry-After or WWW-Authenticate. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}
