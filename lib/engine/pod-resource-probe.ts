// Reads one pod's resources off its /metrics: prom-client's process and Node.js defaults (RSS, heap used,
// event-loop lag p99) and the backend's open WebSocket gauge. A backend exporting only some of them gives
// the ones it has.
import type { PodResourceSample } from "../core/drift-recorder.js";
import { backendMetrics } from "../core/metric-names.js";
import { readPrometheusGauges } from "../core/prometheus-text.js";

const names = {
  rss: "process_resident_memory_bytes",
  heap: "nodejs_heap_size_used_bytes",
  /** Since the previous scrape: prom-client resets its event-loop histogram on every collect. */
  lag: "nodejs_eventloop_lag_p99_seconds",
  connections: backendMetrics.wsConnections,
} as const;

/** Throws when the pod does not answer in `timeoutMs` or answers with an error status. */
export async function probePodResources(metricsUrl: string, timeoutMs: number): Promise<PodResourceSample> {
  const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`${metricsUrl} answered ${response.status}`);
  const values = readPrometheusGauges(await response.text(), Object.values(names));
  const sample: PodResourceSample = {};
  const rss = values.get(names.rss);
  const heap = values.get(names.heap);
  const lag = values.get(names.lag);
  const connections = values.get(names.connections);
  if (rss !== undefined) sample.rssBytes = rss;
  if (heap !== undefined) sample.heapUsedBytes = heap;
  if (lag !== undefined) sample.eventLoopLagSeconds = lag;
  if (connections !== undefined) sample.connections = connections;
  return sample;
}
