// Thrown when a report document cannot be read: not JSON, or not a crosspod.report/v1 document.
// The message names the source and the first offending path so a user can fix the file.
export class ReportParseError extends Error {
  readonly code = "CROSSPOD_REPORT_INVALID";
  /** Dotted path of the first bad field ("pods.pod-a.fanout.p99"), or "" for the document itself. */
  readonly path: string;

  constructor(message: string, path: string) {
    super(message);
    this.name = "ReportParseError";
    this.path = path;
  }
}
