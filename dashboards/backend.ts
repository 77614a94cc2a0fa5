// "crosspod / backend": the reference backend's own view of each pod: connections, publish and deliver
// rates, backfills, slow consumers, Redis, and event-loop lag.
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { backendMetrics } from "../lib/core/metric-names.js";
import { dashboardFrame } from "./dashboard-frame.js";
import { defaultStat, defaultTimeseries, podSelector, query, redFrom } from "./panel-defaults.js";
import { podVariable, runVariable } from "./variables.js";

const upDownMappings: dashboard.ValueMapping[] = [
  {
    type: dashboard.MappingType.ValueToText,
    options: { "0": { text: "down", color: "red", index: 0 }, "1": { text: "up", color: "green", index: 1 } },
  },
];

export const podsUpStat = () =>
  defaultStat()
    .title("Pods scraped")
    .description("Backend pods Prometheus can scrape right now (job crosspod-backend).")
    .unit("short")
    .withTarget(query('sum(up{job="crosspod-backend"})', "pods up"));

export const redisUpStat = () =>
  defaultStat()
    .title("Redis per pod")
    .description("Whether each pod holds a connected, subscribed Redis connection (1 up, 0 down).")
    .unit("none")
    .span(18)
    .mappings(upDownMappings)
    .withTarget(query(`${backendMetrics.redisUp}{${podSelector}}`, "{{pod}}"));

export const wsConnectionsTimeseries = () =>
  defaultTimeseries()
    .title("WebSocket connections per pod")
    .description("Open WebSocket connections each pod holds, as the pod counts them.")
    .unit("short")
    .withTarget(query(`${backendMetrics.wsConnections}{${podSelector}}`, "{{pod}}"));

export const publishRateTimeseries = () =>
  defaultTimeseries()
    .title("Publish rate per pod")
    .description("Threats published to Redis per second by each pod (the pod that took the trigger).")
    .unit("ops")
    .withTarget(query(`crosspod:backend_published:rate{${podSelector}}`, "{{pod}}"));

export const redisRatesTimeseries = () =>
  defaultTimeseries()
    .title("Redis publish and receive rates")
    .description(
      "Threats published to Redis per second (all pods) and received from Redis Pub/Sub per pod: each pod should receive every publish once.",
    )
    .unit("ops")
    .withTarget(query(`sum(crosspod:backend_published:rate{${podSelector}})`, "published (all pods)"))
    .withTarget(query(`crosspod:backend_redis_received:rate{${podSelector}}`, "{{pod}} received"));

export const deliverRateTimeseries = () =>
  defaultTimeseries()
    .title("Deliver rate per pod")
    .description("Threat frames written to client sockets per second by each pod.")
    .unit("cps")
    .withTarget(query(`crosspod:backend_delivered:rate{${podSelector}}`, "{{pod}}"));

export const backendFanoutTimeseries = () =>
  defaultTimeseries()
    .title("Backend fan-out p99 per pod")
    .description(
      "p99 of publish to socket write inside the backend, over the last 30 s; the diamonds are traced frames (exemplars), each linking to its trace.",
    )
    .unit("s")
    .withTarget(query(`crosspod:backend_fanout_seconds:p99{${podSelector}}`, "{{pod}}"))
    .withTarget(
      query(
        `histogram_quantile(0.99, sum by (le, pod) (rate(crosspod_backend_fanout_seconds_bucket{${podSelector}}[30s])))`,
        "{{pod}} with trace exemplars",
      ).exemplar(true),
    );

export const backfillTimeseries = () =>
  defaultTimeseries()
    .title("Backfilled frames per pod")
    .description(
      "Frames a pod read back from the Redis stream to fill a seq gap or resume a client, per second.",
    )
    .unit("cps")
    .withTarget(
      query(`sum by (pod) (rate(${backendMetrics.backfilled}{${podSelector}}[$__rate_interval]))`, "{{pod}}"),
    );

export const slowConsumersTimeseries = () =>
  defaultTimeseries()
    .title("Slow consumers closed per pod")
    .description("Clients closed (1013/1008) for buffering past the byte limit, cumulative per pod.")
    .unit("short")
    .thresholds(redFrom(1))
    .withTarget(query(`sum by (pod) (${backendMetrics.slowConsumerClosed}{${podSelector}})`, "{{pod}}"));

export const eventLoopLagTimeseries = () =>
  defaultTimeseries()
    .title("Event-loop lag p99 per pod")
    .description("p99 event-loop delay of each pod's Node process (prom-client default metrics).")
    .unit("s")
    .withTarget(query(`nodejs_eventloop_lag_p99_seconds{${podSelector}}`, "{{pod}}"));

export const redisUpTimeseries = () =>
  defaultTimeseries()
    .title("Redis connection per pod")
    .description("1 while the pod is connected and subscribed to Redis, 0 while it is not.")
    .unit("none")
    .min(0)
    .max(1)
    .withTarget(query(`${backendMetrics.redisUp}{${podSelector}}`, "{{pod}}"));

export function backendDashboard(): dashboard.DashboardBuilder {
  return dashboardFrame(
    "crosspod / backend",
    "crosspod-backend",
    "The reference backend's metrics per pod; chaos events of the chosen run as annotations.",
  )
    .withVariable(runVariable().description("The crosspod run whose chaos events are annotated."))
    .withVariable(podVariable(backendMetrics.wsConnections))
    .withRow(new dashboard.RowBuilder("Health"))
    .withPanel(podsUpStat())
    .withPanel(redisUpStat())
    .withRow(new dashboard.RowBuilder("Traffic"))
    .withPanel(wsConnectionsTimeseries())
    .withPanel(backendFanoutTimeseries())
    .withPanel(publishRateTimeseries())
    .withPanel(deliverRateTimeseries())
    .withPanel(redisRatesTimeseries())
    .withRow(new dashboard.RowBuilder("Pressure"))
    .withPanel(backfillTimeseries())
    .withPanel(slowConsumersTimeseries())
    .withPanel(eventLoopLagTimeseries())
    .withPanel(redisUpTimeseries());
}
