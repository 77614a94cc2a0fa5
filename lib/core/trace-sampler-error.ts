// A sampler setting (OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG) that cannot be read; the message names it.
import { CrosspodError } from "./crosspod-error.js";

export class TraceSamplerError extends CrosspodError {
  override readonly code = "CROSSPOD_TRACE_SAMPLER";
  override readonly kind = "usage";
}
