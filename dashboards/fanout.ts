// "crosspod / fan-out": how fast frames reach clients on each pod, from either load engine, and what the
// SOC console pages showed (the "Browser" row: Faro RUM from `--browsers` pages, or the k6 browser scenario).
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as heatmap from "@grafana/grafana-foundation-sdk/heatmap";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import { dashboardFrame } from "./dashboard-frame.js";
import {
  defaultHeatmap,
  defaultStat,
  defaultTimeseries,
  loadSelector,
  query,
  redFrom,
} from "./panel-defaults.js";
import { podVariable, runVariable } from "./variables.js";

/** The default thresholds' budget (`fanout_p99<250`), in seconds. */
const fanoutBudgetSeconds = 0.25;

export const connectionsStat = () =>
  defaultStat()
    .title("Connections")
    .description("Client WebSocket connections open now, summed over the selected pods.")
    .unit("short")
    .withTarget(query(`sum(crosspod:connections{${loadSelector}})`, "connections"));

export const fanoutP99Stat = () =>
  defaultStat()
    .title("Fan-out p99, worst pod")
    .description("Highest per-pod p99 of publish-to-client latency; red over the 250 ms budget.")
    .unit("s")
    .thresholds(redFrom(fanoutBudgetSeconds))
    .withTarget(query(`max(crosspod:fanout_latency_seconds:p99{${loadSelector}})`, "p99"));

export const e2eP99Stat = () =>
  defaultStat()
    .title("End-to-end p99, worst pod")
    .description("Highest per-pod p99 of trigger-sent-to-client latency (includes the HTTP trigger).")
    .unit("s")
    .withTarget(query(`max(crosspod:e2e_latency_seconds:p99{${loadSelector}})`, "p99"));

export const framesRateStat = () =>
  defaultStat()
    .title("Frames/s")
    .description("Threat frames received per second by all clients on the selected pods.")
    .unit("cps")
    .withTarget(query(`sum(crosspod:frames_received:rate{${loadSelector}})`, "frames/s"));

export const fanoutPercentilesTimeseries = () =>
  defaultTimeseries()
    .title("Fan-out latency p50 / p90 / p99 per pod")
    .description(
      "Receive time minus the backend's published_at. Node engine: over the last 30 s; k6: over the run so far.",
    )
    .unit("s")
    .span(24)
    .withTarget(query(`crosspod:fanout_latency_seconds:p50{${loadSelector}}`, "{{pod}} p50 ({{engine}})"))
    .withTarget(query(`crosspod:fanout_latency_seconds:p90{${loadSelector}}`, "{{pod}} p90 ({{engine}})"))
    .withTarget(query(`crosspod:fanout_latency_seconds:p99{${loadSelector}}`, "{{pod}} p99 ({{engine}})"))
    // Exemplars live on the raw buckets, not on recorded series: this query's points carry the trace ids
    // of traced frames (OpenMetrics exemplars), which link to their traces in Jaeger.
    .withTarget(
      query(
        `histogram_quantile(0.99, sum by (le, pod) (rate(crosspod_fanout_latency_seconds_bucket{${loadSelector}}[30s])))`,
        "{{pod}} p99 with trace exemplars",
      ).exemplar(true),
    );

export const e2ePercentilesTimeseries = () =>
  defaultTimeseries()
    .title("End-to-end latency p50 / p99 per pod")
    .description("Receive time minus the probe's send time: trigger request, Redis, fan-out and the socket.")
    .unit("s")
    .withTarget(query(`crosspod:e2e_latency_seconds:p50{${loadSelector}}`, "{{pod}} p50 ({{engine}})"))
    .withTarget(query(`crosspod:e2e_latency_seconds:p99{${loadSelector}}`, "{{pod}} p99 ({{engine}})"));

export const framesRateTimeseries = () =>
  defaultTimeseries()
    .title("Frames received per second per pod")
    .description("Threat frames received per second by clients connected to each pod.")
    .unit("cps")
    .withTarget(query(`crosspod:frames_received:rate{${loadSelector}}`, "{{pod}} ({{engine}})"));

export const fanoutHeatmap = () =>
  defaultHeatmap()
    .title("Fan-out latency distribution")
    .description(
      "Frames per second in each latency bucket over time (Node engine histograms; k6 sends percentiles only).",
    )
    .unit("s")
    .yAxis(new heatmap.YAxisConfigBuilder().unit("s"))
    .withTarget(
      query(`sum by (le) (crosspod:fanout_latency_seconds_bucket:rate{${loadSelector}})`, "{{le}}").format(
        prometheus.PromQueryFormat.Heatmap,
      ),
    );

export const fanoutSloErrorsTimeseries = () =>
  defaultTimeseries()
    .title("Fan-out SLO: frames over budget")
    .description(
      "Share of frames slower than the 250 ms budget over 30 s and 5 min (Node engine); the objective allows 1%, and the burn-rate alerts fire at 14.4% (fast) and 6% (slow).",
    )
    .unit("percentunit")
    .thresholds(redFrom(0.01))
    .thresholdsStyle(
      new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Line),
    )
    .withTarget(query('crosspod:fanout_slo_errors:ratio_rate30s{run=~"$run"}', "30s"))
    .withTarget(query('crosspod:fanout_slo_errors:ratio_rate5m{run=~"$run"}', "5m"));

export const e2eHeatmap = () =>
  defaultHeatmap()
    .title("End-to-end latency distribution")
    .description(
      "Frames per second in each end-to-end latency bucket (trigger sent to frame received) over time; Node engine histograms.",
    )
    .unit("s")
    .yAxis(new heatmap.YAxisConfigBuilder().unit("s"))
    .withTarget(
      query(`sum by (le) (crosspod:e2e_latency_seconds_bucket:rate{${loadSelector}})`, "{{le}}").format(
        prometheus.PromQueryFormat.Heatmap,
      ),
    );

export const browserRenderLatencyTimeseries = () =>
  defaultTimeseries()
    .title("Console render latency p50 / p99 per pod")
    .description(
      "Threat published_at to its row in a console page's DOM, measured in the browser, per pod the pages watch. Faro: over the last 30 s; k6: over the run so far.",
    )
    .unit("s")
    .span(24)
    .withTarget(
      query(`crosspod:browser_render_latency_seconds:p50{${loadSelector}}`, "{{pod}} p50 ({{source}})"),
    )
    .withTarget(
      query(`crosspod:browser_render_latency_seconds:p99{${loadSelector}}`, "{{pod}} p99 ({{source}})"),
    );

export const browserReconnectTimeseries = () =>
  defaultTimeseries()
    .title("Console reconnect time p99 per pod")
    .description(
      "A console page's WebSocket closed to its next hello, over the run so far: how long analysts watched a dead feed after a pod went away.",
    )
    .unit("s")
    .withTarget(query(`crosspod:browser_ws_reconnect_seconds:p99{${loadSelector}}`, "{{pod}} p99"));

export const browserWebVitalsTimeseries = () =>
  defaultTimeseries()
    .title("Console web vitals p75")
    .description(
      "Time-valued web vitals of the console pages (first contentful paint, largest contentful paint, interaction to next paint, time to first byte), p75 over the run so far.",
    )
    .unit("s")
    .withTarget(query('crosspod:browser_web_vital_seconds:p75{run=~"$run"}', "{{name}}"));

export function fanoutDashboard(): dashboard.DashboardBuilder {
  return dashboardFrame(
    "crosspod / fan-out",
    "crosspod-fanout",
    "Fan-out latency and throughput seen by clients, per delivering pod, for one crosspod run.",
  )
    .withVariable(runVariable())
    .withVariable(podVariable("crosspod:connections", 'run=~"$run"'))
    .withRow(new dashboard.RowBuilder("Now"))
    .withPanel(connectionsStat())
    .withPanel(fanoutP99Stat())
    .withPanel(e2eP99Stat())
    .withPanel(framesRateStat())
    .withRow(new dashboard.RowBuilder("Latency"))
    .withPanel(fanoutPercentilesTimeseries())
    .withPanel(fanoutHeatmap())
    .withPanel(e2ePercentilesTimeseries())
    .withPanel(framesRateTimeseries())
    .withPanel(e2eHeatmap())
    .withPanel(fanoutSloErrorsTimeseries())
    .withRow(new dashboard.RowBuilder("Browser"))
    .withPanel(browserRenderLatencyTimeseries())
    .withPanel(browserReconnectTimeseries())
    .withPanel(browserWebVitalsTimeseries());
}
