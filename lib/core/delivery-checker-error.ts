// Error for a delivery checker constructed with options it cannot work with; the message names the option.
export class DeliveryCheckerError extends Error {
  readonly code = "CROSSPOD_DELIVERY_CHECKER";

  constructor(message: string) {
    super(message);
    this.name = "DeliveryCheckerError";
  }
}
