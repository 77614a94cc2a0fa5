// Error for a report that would not validate against the report schema; the message names the field.
export class ReportError extends Error {
  readonly code = "CROSSPOD_REPORT";

  constructor(message: string) {
    super(message);
    this.name = "ReportError";
  }
}
