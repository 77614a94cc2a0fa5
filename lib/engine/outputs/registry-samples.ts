// One reading of a prom-client registry as flat samples: the series /metrics would expose at that moment
// (histograms as _bucket/_sum/_count), each with its full label set. The --out sinks and the live
// dashboard read the engine's load metrics this way, so every output shows what a scrape would.
import type { Registry, RegistryContentType } from "prom-client";

export interface MetricSample {
  /** Series name as exposed, e.g. crosspod_fanout_latency_seconds_bucket. */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export async function readRegistry(registry: Registry<RegistryContentType>): Promise<MetricSample[]> {
  const samples: MetricSample[] = [];
  for (const metric of await registry.getMetricsAsJSON()) {
    for (const value of metric.values) {
      const labels: Record<string, string> = {};
      for (const [key, label] of Object.entries(value.labels)) {
        if (label !== undefined) labels[key] = String(label);
      }
      const name = (value as { metricName?: string }).metricName ?? metric.name;
      samples.push({ name, labels, value: value.value });
    }
  }
  return samples;
}
