// Thrown when a report document cannot be read: not JSON, or not a crosspod.report/v1 document.
// The message names the source and the first offending path so a user can fix the file.
import { CrosspodError } from "./crosspod-error.js";

export class ReportParseError extends CrosspodError {
  override readonly code = "CROSSPOD_REPORT_INVALID";
  override readonly kind = "usage";
  /** Dotted path of the first bad field ("pods.pod-a.fanout.p99"), or "" for the document itself. */
  readonly path: string;

  constructor(message: string, path: string) {
    super(message);
    this.name = "ReportParseError";
    this.path = path;
  }
}
