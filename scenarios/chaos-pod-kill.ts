// chaos-pod-kill: cross-pod-load while the cluster is broken on a schedule. Beside the subscribers and
// publishers, a `chaos` scenario (one VU, one iteration, from the first trigger) walks a `--chaos` style
// schedule and asks the supervisor's control API to act at each step. Each action becomes a run event in
// the report and a sample of crosspod_chaos_events / crosspod_chaos_event_timestamp_seconds.
//   crosspod up --control-port 0      # prints CROSSPOD_CONTROL_URL and CROSSPOD_CONTROL_TOKEN
//   k6 run -e TARGETS=<pod URLs or their @clients links> -e REDIS_URL=redis://127.0.0.1:<port> \
//     -e CROSSPOD_CONTROL_URL=... -e CROSSPOD_CONTROL_TOKEN=... \
//     -e CROSSPOD_CHAOS=kill-pod:pod-b@10s,restart-pod:pod-b@15s dist/k6/v1/chaos-pod-kill.js
// Every action of lib/core/chaos-schedule.ts works here, the Redis failovers too when the cluster runs
// `crosspod up --redis sentinel --control-port 0`: CROSSPOD_CHAOS=kill-redis-primary@10s,
// failover-redis@20s or partition-redis-primary@10s..15s.

import http from "k6/http";
import { Counter, Gauge } from "k6/metrics";
import type { Options } from "k6/options";
import { setTimeout } from "k6/timers";
import { type ChaosStep, parseChaosSchedule } from "../lib/core/chaos-schedule.js";
import { CrosspodError } from "../lib/core/crosspod-error.js";
import { loadMetrics } from "../lib/core/metric-names.js";
import {
  type K6SummaryData,
  prepareRun,
  publish,
  type RunData,
  setupRun,
  storeOf,
  subscribe,
  summarizeRun,
  teardownRun,
} from "./lib/k6-run.js";
import type { RunStore } from "./lib/k6-run-store.js";

const defaultSchedule = "kill-pod:pod-b@10s,restart-pod:pod-b@15s";

export class ChaosScenarioError extends CrosspodError {
  override readonly code = "CROSSPOD_K6_CHAOS";
  override readonly kind = "environment";
}

function loadChaosConfig(env: Record<string, string | undefined>, durationSeconds: number) {
  const controlUrl = env.CROSSPOD_CONTROL_URL ?? "";
  if (!/^https?:\/\/\S+$/.test(controlUrl)) {
    throw new ChaosScenarioError(
      "CROSSPOD_CONTROL_URL is invalid: expected the control API's URL, http://127.0.0.1:<port>",
    );
  }
  const token = env.CROSSPOD_CONTROL_TOKEN ?? "";
  if (token.length < 16) {
    throw new ChaosScenarioError(
      "CROSSPOD_CONTROL_TOKEN is invalid: expected the token `crosspod up --control-port` printed",
    );
  }
  const steps = parseChaosSchedule(env.CROSSPOD_CHAOS || defaultSchedule);
  const late = steps.find((step) => step.atSeconds > durationSeconds);
  if (late) {
    throw new ChaosScenarioError(
      `CROSSPOD_CHAOS step "${late.source}" is at ${late.atSeconds} s, after the ${durationSeconds} s of triggers`,
    );
  }
  return {
    controlUrl: controlUrl.replace(/\/+$/, ""),
    token,
    steps,
  };
}

const run = prepareRun("cross-pod-load", __ENV);
const chaosConfig = loadChaosConfig({ ...__ENV }, run.config.profile.durationSeconds);
const chaosEvents = new Counter(loadMetrics.chaosEvents);
const chaosEventTimes = new Gauge(loadMetrics.chaosEventTimestamp);

export const options: Options = {
  ...run.options,
  scenarios: {
    ...run.options.scenarios,
    chaos: {
      executor: "per-vu-iterations",
      exec: "chaos",
      vus: 1,
      iterations: 1,
      startTime: `${run.timing.publishStartSeconds}s`,
      // A restart waits for readiness; the last step may still be under way when triggering ends.
      maxDuration: `${run.config.profile.durationSeconds + 120}s`,
    },
  },
};

export function setup(): Promise<RunData> {
  return setupRun(run);
}

export function subscribers(data: RunData): Promise<void> {
  return subscribe(run, data);
}

export function publishers(data: RunData): Promise<void> {
  return publish(run, data);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function messageOf(body: unknown): string {
  try {
    const parsed =
      typeof body === "string"
        ? (JSON.parse(body) as { message?: unknown; event?: { detail?: unknown } })
        : {};
    return String(parsed.message ?? parsed.event?.detail ?? "");
  } catch {
    return "";
  }
}

/** Asks the control API for one step; resolves once the supervisor has carried it out. */
async function applyStep(step: ChaosStep, store: RunStore, data: RunData): Promise<void> {
  const { action, target } = step.action;
  const issuedAtMs = Date.now();
  const response = http.post(`${chaosConfig.controlUrl}/chaos`, JSON.stringify(step.action), {
    headers: { authorization: `Bearer ${chaosConfig.token}`, "content-type": "application/json" },
    timeout: "120s",
    tags: { name: "crosspod-chaos" },
  });
  const t = Math.max(0, (issuedAtMs - data.startedAtMs) / 1000);
  if (response.status !== 200) {
    const why = messageOf(response.body) || response.error || `HTTP ${response.status}`;
    await store.pushEvent({ t, kind: "error", name: action, target, detail: `control API: ${why}` });
    return;
  }
  chaosEvents.add(1, { action, target });
  chaosEventTimes.add(issuedAtMs / 1000, { action, target });
  await store.pushEvent({ t, kind: "chaos", name: action, target, detail: messageOf(response.body) });
}

export async function chaos(data: RunData): Promise<void> {
  const startedAtMs = Date.now();
  const store = storeOf(run, data.runId);
  for (const step of chaosConfig.steps) {
    const waitMs = startedAtMs + step.atSeconds * 1000 - Date.now();
    if (waitMs > 0) await sleep(waitMs);
    await applyStep(step, store, data);
  }
}

export function teardown(data: RunData): Promise<void> {
  return teardownRun(run, data);
}

export function handleSummary(summary: K6SummaryData): Promise<Record<string, string>> {
  return summarizeRun(run, summary);
}
