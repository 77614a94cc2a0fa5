// Error for a report that would not validate against the report schema; the message names the field.
import { CrosspodError } from "./crosspod-error.js";

export class ReportError extends CrosspodError {
  override readonly code = "CROSSPOD_REPORT";
  override readonly kind = "usage";

  constructor(message: string) {
    super(message);
    this.name = "ReportError";
  }
}
