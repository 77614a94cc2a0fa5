import { describe, expect, it } from "vitest";
import { readPrometheusGauges } from "../../lib/core/prometheus-text.js";

const exposition = `# HELP process_resident_memory_bytes Resident memory size in bytes.
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes{pod="pod-a"} 104857600
nodejs_eventloop_lag_p99_seconds{pod="pod-a"} 0.012
crosspod_backend_ws_connections{pod="pod-a",shard="1"} 10
crosspod_backend_ws_connections{pod="pod-a",shard="2"} 5
nodejs_heap_size_used_bytes NaN
crosspod_backend_published_total{pod="pod-a"} 99
`;

describe("readPrometheusGauges", () => {
  it("reads the asked-for gauges, summing a metric over its label sets", () => {
    const values = readPrometheusGauges(exposition, [
      "process_resident_memory_bytes",
      "nodejs_eventloop_lag_p99_seconds",
      "crosspod_backend_ws_connections",
    ]);
    expect(Object.fromEntries(values)).toEqual({
      process_resident_memory_bytes: 104_857_600,
      nodejs_eventloop_lag_p99_seconds: 0.012,
      crosspod_backend_ws_connections: 15,
    });
  });

  it("leaves out metrics that are absent or not numbers", () => {
    const values = readPrometheusGauges(exposition, ["nodejs_heap_size_used_bytes", "missing_metric"]);
    expect(values.size).toBe(0);
  });
});
