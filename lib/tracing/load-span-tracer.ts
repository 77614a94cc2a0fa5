// The one door to tracing: loads the OpenTelemetry SDK only when the settings turn tracing on (a dynamic
// import, so with tracing off no OpenTelemetry module is ever loaded into the process).
import type { ProcessIdentity, SpanTracer } from "./span-tracer.js";
import type { TracingConfig } from "./tracing-config.js";

/** A SpanTracer for this process, or undefined when `config` (from tracingConfigFromEnv) is off. */
export async function loadSpanTracer(
  config: TracingConfig | undefined,
  identity: ProcessIdentity,
): Promise<SpanTracer | undefined> {
  if (config === undefined) return undefined;
  const { startOtelSpanTracer } = await import("./otel-span-tracer.js");
  return startOtelSpanTracer(config, identity);
}
