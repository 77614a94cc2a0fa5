// "crosspod / run": whether the load generator did what the run claims: trigger rate, failed and late
// triggers (Node engine counters, or k6's trigger requests and dropped iterations), the generator's CPU,
// event-loop lag and validity verdict (Node engine), and the alerts firing meanwhile.
import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import { dashboardFrame } from "./dashboard-frame.js";
import {
  defaultStat,
  defaultTable,
  defaultTimeseries,
  loadSelector,
  prometheusDatasource,
  query,
  redFrom,
} from "./panel-defaults.js";
import { podVariable, runVariable } from "./variables.js";

const runSelector = 'run=~"$run"';

const validMappings: dashboard.ValueMapping[] = [
  {
    type: dashboard.MappingType.ValueToText,
    options: {
      "0": { text: "invalid", color: "red", index: 0 },
      "1": { text: "valid", color: "green", index: 1 },
    },
  },
];

export const triggerRateStat = () =>
  defaultStat()
    .title("Triggers accepted/s")
    .description("Triggers the pods accepted per second, over the selected pods (by the pod that answered).")
    .unit("ops")
    .withTarget(query(`sum(crosspod:triggers:rate{${loadSelector}, outcome="accepted"})`, "accepted/s"));

export const failedTriggersStat = () =>
  defaultStat()
    .title("Triggers failed/s")
    .description("Triggers refused or unanswered per second (503 while Redis is down, timeouts, overload).")
    .unit("ops")
    .thresholds(redFrom(0.01))
    .withTarget(query(`sum(crosspod:triggers:rate{${loadSelector}, outcome="failed"})`, "failed/s"));

export const lateStartsStat = () =>
  defaultStat()
    .title("Late trigger starts/s")
    .description(
      "Triggers the generator sent later than its lag limit after their due time (k6: dropped iterations): the arrival rate was not held.",
    )
    .unit("ops")
    .thresholds(redFrom(0.01))
    .withTarget(query(`sum(crosspod:trigger_late_starts:rate{${runSelector}})`, "late/s"));

export const validityStat = () =>
  defaultStat()
    .title("Run valid so far")
    .description(
      "Node engine: whether the generator's CPU, event-loop lag and late starts are within the limits that make its numbers trustworthy (the report's validity verdict, live).",
    )
    .unit("none")
    .mappings(validMappings)
    .withTarget(query(`min(crosspod:run_valid{${runSelector}})`, "valid"));

export const triggerRateTimeseries = () =>
  defaultTimeseries()
    .title("Triggers per second per pod and outcome")
    .description("Accepted triggers by the pod that answered, failed ones by the pod they were sent to.")
    .unit("ops")
    .withTarget(query(`crosspod:triggers:rate{${loadSelector}}`, "{{pod}} {{outcome}} ({{engine}})"));

export const lateStartsTimeseries = () =>
  defaultTimeseries()
    .title("Late trigger starts per second")
    .description(
      "Triggers sent late by the generator (Node engine) or dropped by k6's arrival-rate executor.",
    )
    .unit("ops")
    .thresholds(redFrom(0.01))
    .withTarget(query(`crosspod:trigger_late_starts:rate{${runSelector}}`, "late ({{engine}})"));

export const generatorCpuTimeseries = () =>
  defaultTimeseries()
    .title("Generator CPU")
    .description(
      "CPU the Node engine's process used, as a share of one core; above the limit (80% by default) the run is invalid.",
    )
    .unit("percentunit")
    .thresholds(redFrom(0.8))
    .withTarget(query(`crosspod:generator_cpu:ratio{${runSelector}}`, "cpu"));

export const generatorLagTimeseries = () =>
  defaultTimeseries()
    .title("Generator event-loop lag p99")
    .description(
      "The Node engine's event-loop lag p99 since triggering began: lag adds to every timestamp it takes.",
    )
    .unit("s")
    .withTarget(query(`crosspod:generator_event_loop_lag_seconds:p99{${runSelector}}`, "lag p99"));

/**
 * Grafana's alert list, showing the Prometheus rules (CrosspodPodDown, ...) the datasource manages. The SDK
 * has no builder for this panel type, so it is written as the panel JSON Grafana stores.
 */
export const alertList = (): cog.Builder<dashboard.Panel> => ({
  build: () => ({
    type: "alertlist",
    title: "Alerts",
    description: "crosspod's Prometheus alerts (observability/prometheus/rules) firing or pending now.",
    datasource: prometheusDatasource,
    gridPos: { h: 8, w: 12, x: 0, y: 0 },
    options: {
      viewMode: "list",
      groupMode: "default",
      groupBy: [],
      maxItems: 20,
      sortOrder: 1,
      dashboardAlerts: false,
      // No name or datasource filter: a filter Grafana matches differently than expected would hide alerts.
      alertName: "",
      alertInstanceLabelFilter: "",
      stateFilter: { firing: true, pending: true, noData: false, normal: false, error: true },
    },
  }),
});

export const firingAlertsTable = () =>
  defaultTable()
    .title("Firing alerts")
    .description("Alerts Prometheus holds firing at the end of the time range, with their pod.")
    .unit("short")
    .withTarget(
      query('sum by (alertname, pod, severity) (ALERTS{alertstate="firing"})', "")
        .instant()
        .format(prometheus.PromQueryFormat.Table),
    );

export function runDashboard(): dashboard.DashboardBuilder {
  return dashboardFrame(
    "crosspod / run",
    "crosspod-run",
    "The load generator's side of one crosspod run: triggers, late starts, generator health and alerts.",
  )
    .withVariable(runVariable())
    .withVariable(podVariable("crosspod:connections", 'run=~"$run"'))
    .withRow(new dashboard.RowBuilder("Triggers"))
    .withPanel(triggerRateStat())
    .withPanel(failedTriggersStat())
    .withPanel(lateStartsStat())
    .withPanel(validityStat())
    .withPanel(triggerRateTimeseries())
    .withPanel(lateStartsTimeseries())
    .withRow(new dashboard.RowBuilder("Generator"))
    .withPanel(generatorCpuTimeseries())
    .withPanel(generatorLagTimeseries())
    .withRow(new dashboard.RowBuilder("Alerts"))
    .withPanel(alertList())
    .withPanel(firingAlertsTable());
}
