// Error for a delivery checker constructed with options it cannot work with; the message names the option.
import { CrosspodError } from "./crosspod-error.js";

export class DeliveryCheckerError extends CrosspodError {
  override readonly code = "CROSSPOD_DELIVERY_CHECKER";
  override readonly kind = "internal";

  constructor(message: string) {
    super(message);
    this.name = "DeliveryCheckerError";
  }
}
