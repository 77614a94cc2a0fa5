// cross-pod-load: connections spread over every pod while triggers arrive at a constant rate round-robin
// across the pods; every frame on every connection is checked for order, duplicates and loss, and timed.
// Workload numbers come from lib/core's "cross-pod-load" profile (CROSSPOD_* env overrides them).
//   k6 run -e TARGETS=http://127.0.0.1:8081,http://127.0.0.1:8082 -e REDIS_URL=redis://127.0.0.1:6379 \
//     dist/k6/v1/cross-pod-load.js
import {
  type K6SummaryData,
  prepareRun,
  publish,
  type RunData,
  setupRun,
  subscribe,
  summarizeRun,
  teardownRun,
} from "./lib/k6-run.js";

const run = prepareRun("cross-pod-load", __ENV);

export const options = run.options;

export function setup(): Promise<RunData> {
  return setupRun(run);
}

export function subscribers(data: RunData): Promise<void> {
  return subscribe(run, data);
}

export function publishers(data: RunData): Promise<void> {
  return publish(run, data);
}

export function teardown(data: RunData): Promise<void> {
  return teardownRun(run, data);
}

export function handleSummary(summary: K6SummaryData): Promise<Record<string, string>> {
  return summarizeRun(run, summary);
}
