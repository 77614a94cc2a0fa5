// Error for partial reports that cannot be merged into one: not parts of one run, a segment missing or
// given twice, or a part without the histograms an exact merge needs. The message names the part.
import { CrosspodError } from "./crosspod-error.js";

export class ReportMergeError extends CrosspodError {
  override readonly code = "CROSSPOD_REPORT_MERGE";
  override readonly kind = "usage";

  constructor(message: string) {
    super(message);
    this.name = "ReportMergeError";
  }
}
