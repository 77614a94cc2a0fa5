// "crosspod / delivery": whether every frame arrived once and in order, and how clients rode out chaos.
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import { dashboardFrame } from "./dashboard-frame.js";
import {
  defaultStat,
  defaultTable,
  defaultTimeseries,
  loadSelector,
  query,
  redFrom,
} from "./panel-defaults.js";
import { podVariable, runVariable } from "./variables.js";

export const lostStat = () =>
  defaultStat()
    .title("Lost while connected")
    .description("Frames published while a client was connected that it never received. Must stay 0.")
    .unit("short")
    .thresholds(redFrom(1))
    .withTarget(query(`sum(crosspod:lost:total{${loadSelector}})`, "lost"));

export const duplicatesStat = () =>
  defaultStat()
    .title("Duplicates")
    .description("Frames a client received more than once on one connection. Must stay 0.")
    .unit("short")
    .thresholds(redFrom(1))
    .withTarget(query(`sum(crosspod:duplicates:total{${loadSelector}})`, "duplicates"));

export const outOfOrderStat = () =>
  defaultStat()
    .title("Out of order")
    .description("Frames that arrived after a frame with a higher seq on the same connection. Must stay 0.")
    .unit("short")
    .thresholds(redFrom(1))
    .withTarget(query(`sum(crosspod:out_of_order:total{${loadSelector}})`, "out of order"));

export const reconnectsStat = () =>
  defaultStat()
    .title("Reconnects")
    .description("Successful client reconnects after a disconnect (pod killed, drained, or network fault).")
    .unit("short")
    .withTarget(query(`sum(crosspod:reconnects:total{${loadSelector}})`, "reconnects"));

export const missedStat = () =>
  defaultStat()
    .title("Missed while disconnected")
    .description(
      "Frames published while a client was disconnected and not delivered after it reconnected; 0 in recover mode, expected in pubsub mode. Settled after the drain.",
    )
    .unit("short")
    .thresholds(redFrom(1))
    .withTarget(query(`sum(crosspod:missed:total{${loadSelector}})`, "missed"));

export const recoveredStat = () =>
  defaultStat()
    .title("Recovered by resume")
    .description(
      "Frames published while a client was disconnected that it received after resuming (Node engine). Settled after the drain.",
    )
    .unit("short")
    .withTarget(query(`sum(crosspod:recovered:total{${loadSelector}})`, "recovered"));

export const missedRecoveredTimeseries = () =>
  defaultTimeseries()
    .title("Missed and recovered per pod")
    .description(
      "Frames missed while disconnected and frames recovered by resume, by the pod clients resumed on.",
    )
    .unit("short")
    .withTarget(query(`crosspod:missed:total{${loadSelector}}`, "{{pod}} missed ({{engine}})"))
    .withTarget(query(`crosspod:recovered:total{${loadSelector}}`, "{{pod}} recovered ({{engine}})"));

export const originMatrixTable = () =>
  defaultTable()
    .title("Origin → delivering pod, frames/s")
    .description(
      "Frames received per second by the pod that took the trigger (rows) and the pod that delivered it (columns); Node engine. Latency per pair is in the HTML report's matrix.",
    )
    .unit("cps")
    .withTarget(
      query(`sum by (origin, pod) (crosspod:origin_frames_received:rate{${loadSelector}})`, "")
        .instant()
        .format(prometheus.PromQueryFormat.Table),
    )
    .withTransformation({
      id: "groupingToMatrix",
      options: { columnField: "pod", rowField: "origin", valueField: "Value" },
    });

export const originFanoutMatrixTable = () =>
  defaultTable()
    .title("Origin → delivering pod, fan-out p99")
    .description(
      "Fan-out latency p99 over the last 30 s for each pair: rows the pod that took the trigger, columns the pod that delivered it (Node engine). A slow column is a slow delivering pod; a slow row, a slow path from the origin through Redis.",
    )
    .unit("s")
    .thresholds(redFrom(0.25))
    .withTarget(
      query(`max by (origin, pod) (crosspod:origin_fanout_latency_seconds:p99{${loadSelector}})`, "")
        .instant()
        .format(prometheus.PromQueryFormat.Table),
    )
    .withTransformation({
      id: "groupingToMatrix",
      options: { columnField: "pod", rowField: "origin", valueField: "Value" },
    });

export const lostTimeseries = () =>
  defaultTimeseries()
    .title("Lost frames per pod")
    .description("Cumulative frames lost while connected, by the pod the clients were connected to.")
    .unit("short")
    .thresholds(redFrom(1))
    .thresholdsStyle(
      new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Line),
    )
    .withTarget(query(`crosspod:lost:total{${loadSelector}}`, "{{pod}} ({{engine}})"));

export const duplicatesAndOrderTimeseries = () =>
  defaultTimeseries()
    .title("Duplicates and out-of-order per pod")
    .description("Cumulative duplicate and out-of-order frames, by delivering pod.")
    .unit("short")
    .withTarget(query(`crosspod:duplicates:total{${loadSelector}}`, "{{pod}} duplicates ({{engine}})"))
    .withTarget(query(`crosspod:out_of_order:total{${loadSelector}}`, "{{pod}} out of order ({{engine}})"));

export const reconnectsTimeseries = () =>
  defaultTimeseries()
    .title("Reconnects per pod")
    .description(
      "Cumulative client reconnects, by the pod they reconnected to; steps line up with chaos events.",
    )
    .unit("short")
    .withTarget(query(`crosspod:reconnects:total{${loadSelector}}`, "{{pod}} ({{engine}})"));

export const reconnectTimeTimeseries = () =>
  defaultTimeseries()
    .title("Time to reconnect p99 per pod")
    .description("p99 of disconnect-to-hello time for clients that reconnected (Node engine: last 5 min).")
    .unit("s")
    .withTarget(query(`crosspod:reconnect_time_seconds:p99{${loadSelector}}`, "{{pod}} p99 ({{engine}})"));

export const connectionsTimeseries = () =>
  defaultTimeseries()
    .title("Connections per pod")
    .description("Client connections open on each pod: drops when a pod dies, recovers as clients reconnect.")
    .unit("short")
    .withTarget(query(`crosspod:connections{${loadSelector}}`, "{{pod}} ({{engine}})"));

export const chaosEventsTimeseries = () =>
  defaultTimeseries()
    .title("Chaos events")
    .description(
      "Chaos actions applied during the run (kill-pod, kill-redis, ...), cumulative per action and target.",
    )
    .unit("short")
    .withTarget(query('crosspod:chaos_events:total{run=~"$run"}', "{{action}} {{target}} ({{engine}})"));

export function deliveryDashboard(): dashboard.DashboardBuilder {
  return dashboardFrame(
    "crosspod / delivery",
    "crosspod-delivery",
    "Loss, duplicates, ordering and reconnects seen by clients during one crosspod run, with chaos.",
  )
    .withVariable(runVariable())
    .withVariable(podVariable("crosspod:connections", 'run=~"$run"'))
    .withRow(new dashboard.RowBuilder("Invariants"))
    .withPanel(lostStat())
    .withPanel(duplicatesStat())
    .withPanel(outOfOrderStat())
    .withPanel(reconnectsStat())
    .withPanel(missedStat())
    .withPanel(recoveredStat())
    .withRow(new dashboard.RowBuilder("Over time"))
    .withPanel(lostTimeseries())
    .withPanel(duplicatesAndOrderTimeseries())
    .withPanel(reconnectsTimeseries())
    .withPanel(reconnectTimeTimeseries())
    .withPanel(connectionsTimeseries())
    .withPanel(chaosEventsTimeseries())
    .withPanel(missedRecoveredTimeseries())
    .withPanel(originMatrixTable())
    .withPanel(originFanoutMatrixTable());
}
