// Error for a threshold that cannot be parsed or does not fit its metric; the message names the expression.
export class ThresholdSyntaxError extends Error {
  readonly code = "CROSSPOD_THRESHOLD_SYNTAX";

  constructor(message: string) {
    super(message);
    this.name = "ThresholdSyntaxError";
  }
}
