// Instant queries against Prometheus's HTTP API (/api/v1/query), with the answer validated before use.

import { z } from "zod";
import { CrosspodError } from "../core/crosspod-error.js";

export interface PrometheusSample {
  labels: Record<string, string>;
  value: number;
}

export class PrometheusQueryError extends CrosspodError {
  override readonly code = "CROSSPOD_PROMETHEUS_QUERY";
  override readonly kind = "environment";
}

const answerSchema = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("success"),
    data: z.object({
      resultType: z.literal("vector"),
      result: z.array(
        z.object({
          metric: z.record(z.string(), z.string()),
          value: z.tuple([z.number(), z.string()]),
        }),
      ),
    }),
  }),
  z.object({ status: z.literal("error"), error: z.string() }),
]);

/** The instant vector `expr` evaluates to now; a scalar or string result is an error naming `expr`. */
export async function queryPrometheus(
  prometheusUrl: string,
  expr: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<PrometheusSample[]> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 5000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const url = `${prometheusUrl}/api/v1/query?${new URLSearchParams({ query: expr })}`;
  let body: unknown;
  try {
    const response = await fetch(url, { signal });
    body = await response.json();
  } catch (error) {
    throw new PrometheusQueryError(
      `query ${expr} at ${prometheusUrl} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const parsed = answerSchema.safeParse(body);
  if (!parsed.success) {
    throw new PrometheusQueryError(
      `query ${expr} at ${prometheusUrl}: expected an instant vector, got ${JSON.stringify(body).slice(0, 200)}`,
    );
  }
  if (parsed.data.status === "error") {
    throw new PrometheusQueryError(`query ${expr} at ${prometheusUrl}: ${parsed.data.error}`);
  }
  return parsed.data.data.result.map(({ metric, value }) => ({ labels: metric, value: Number(value[1]) }));
}
