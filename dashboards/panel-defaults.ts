// Shared defaults every crosspod panel starts from: the datasource the dashboard's variable picks, legends,
// and the label selectors that the run and pod variables fill in.
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as heatmap from "@grafana/grafana-foundation-sdk/heatmap";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as table from "@grafana/grafana-foundation-sdk/table";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";

/**
 * The Prometheus the `datasource` variable picks (variables.ts); it defaults to the provisioned one
 * (uid "prometheus", observability/grafana/provisioning/datasources/prometheus.yml), and an imported
 * dashboard asks for any Prometheus instead of failing on a uid that does not exist there.
 */
export const prometheusDatasource = { type: "prometheus", uid: "$datasource" };

/** Load-side series (crosspod:*) carry run and pod; backend series carry pod only. */
export const loadSelector = 'run=~"$run", pod=~"$pod"';
export const podSelector = 'pod=~"$pod"';

export function query(expr: string, legendFormat: string): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder()
    .datasource(prometheusDatasource)
    .expr(expr)
    .legendFormat(legendFormat);
}

function thresholds(steps: dashboard.Threshold[]): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(steps);
}

/** Green below `limit`, red from it on: for values with a budget (latency) or that must stay 0 (loss). */
export function redFrom(limit: number): dashboard.ThresholdsConfigBuilder {
  return thresholds([
    { value: null, color: "green" },
    { value: limit, color: "red" },
  ]);
}

export function defaultTimeseries(): timeseries.PanelBuilder {
  return new timeseries.PanelBuilder()
    .datasource(prometheusDatasource)
    .height(8)
    .span(12)
    .lineWidth(1)
    .fillOpacity(10)
    .showPoints(common.VisibilityMode.Never)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Bottom)
        .calcs(["lastNotNull", "max"]),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi));
}

export function defaultStat(): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .datasource(prometheusDatasource)
    .height(4)
    .span(6)
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.Area)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(["lastNotNull"]));
}

export function defaultTable(): table.PanelBuilder {
  return new table.PanelBuilder().datasource(prometheusDatasource).height(8).span(12);
}

export function defaultHeatmap(): heatmap.PanelBuilder {
  return new heatmap.PanelBuilder()
    .datasource(prometheusDatasource)
    .height(10)
    .span(24)
    .calculate(false)
    .color(
      new heatmap.HeatmapColorOptionsBuilder()
        .mode(heatmap.HeatmapColorMode.Scheme)
        .scheme("Oranges")
        .scale(heatmap.HeatmapColorScale.Exponential)
        .exponent(0.5)
        .steps(64),
    )
    .tooltip(new heatmap.HeatmapTooltipBuilder().mode(common.TooltipDisplayMode.Single).yHistogram(true));
}
