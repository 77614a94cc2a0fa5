// Error for a threshold that cannot be parsed or does not fit its metric; the message names the expression.
import { CrosspodError } from "./crosspod-error.js";

export class ThresholdSyntaxError extends CrosspodError {
  override readonly code = "CROSSPOD_THRESHOLD_SYNTAX";
  override readonly kind = "usage";

  constructor(message: string) {
    super(message);
    this.name = "ThresholdSyntaxError";
  }
}
