// The scrape targets Prometheus is working on (/api/v1/targets), validated, and the wait until it scrapes.
// Prometheus 2.x applies a new config's targets on a 5 s reload tick, so "ready" comes seconds before the
// first scrape; a run that starts in between would be missing from its series.

import { z } from "zod";
import { CrosspodError } from "../core/crosspod-error.js";

export type TargetHealth = "up" | "down" | "unknown";

export interface ActiveTarget {
  job: string;
  scrapeUrl: string;
  health: TargetHealth;
  lastError: string;
}

export class PrometheusTargetsError extends CrosspodError {
  override readonly code = "CROSSPOD_PROMETHEUS_TARGETS";
  override readonly kind = "environment";
}

const targetsAnswerSchema = z.object({
  status: z.literal("success"),
  data: z.object({
    activeTargets: z.array(
      z.object({
        scrapePool: z.string(),
        scrapeUrl: z.string(),
        health: z.enum(["up", "down", "unknown"]),
        lastError: z.string(),
      }),
    ),
  }),
});

export async function activeTargets(prometheusUrl: string, timeoutMs = 5000): Promise<ActiveTarget[]> {
  let body: unknown;
  try {
    const response = await fetch(`${prometheusUrl}/api/v1/targets?state=active`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    body = await response.json();
  } catch (error) {
    throw new PrometheusTargetsError(
      `${prometheusUrl}/api/v1/targets failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const parsed = targetsAnswerSchema.safeParse(body);
  if (!parsed.success) {
    throw new PrometheusTargetsError(
      `${prometheusUrl}/api/v1/targets: unexpected answer ${JSON.stringify(body).slice(0, 200)}`,
    );
  }
  return parsed.data.data.activeTargets.map((target) => ({
    job: target.scrapePool,
    scrapeUrl: target.scrapeUrl,
    health: target.health,
    lastError: target.lastError,
  }));
}

/**
 * Resolves once Prometheus has tried every configured target at least once (up or down: a load engine's
 * /metrics may not listen yet), i.e. its scrape loops run; throws naming what it saw after `timeoutMs`.
 */
export async function waitUntilScraping(prometheusUrl: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let seen = "no targets yet";
  for (;;) {
    const targets = await activeTargets(prometheusUrl);
    if (targets.length > 0 && targets.every((target) => target.health !== "unknown")) return;
    if (targets.length > 0) seen = targets.map((target) => `${target.scrapeUrl} ${target.health}`).join(", ");
    if (performance.now() >= deadline) {
      throw new PrometheusTargetsError(
        `prometheus at ${prometheusUrl} did not scrape its targets within ${timeoutMs} ms (${seen})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
