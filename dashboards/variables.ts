// Dashboard variables (datasource, run, pod) and the chaos-event annotation, shared by all crosspod dashboards.
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import { prometheusDatasource } from "./panel-defaults.js";

/** Which Prometheus to read: the provisioned one by default, any other of the type when imported elsewhere. */
export function datasourceVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder("datasource")
    .label("Data source")
    .description("The Prometheus holding crosspod's series (scraped pods and engine, k6 remote write).")
    .type("prometheus")
    .current({ text: "Prometheus", value: "prometheus" });
}

/** One run at a time: runs are compared across dashboards, not overlaid. */
export function runVariable(): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder("run")
    .label("Run")
    .description("The crosspod run id (the probe's run, k6's `run` tag).")
    .datasource(prometheusDatasource)
    .query("label_values(crosspod:connections, run)")
    .definition("label_values(crosspod:connections, run)")
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalDesc);
}

/** Pods present in `series`, filtered by `filter` (e.g. the chosen run); several or all at once. */
export function podVariable(series: string, filter = ""): dashboard.QueryVariableBuilder {
  const source = filter ? `${series}{${filter}}` : series;
  return new dashboard.QueryVariableBuilder("pod")
    .label("Pod")
    .description("Backend pods (replicas); for load-side panels, the pod that delivered the frames.")
    .datasource(prometheusDatasource)
    .query(`label_values(${source}, pod)`)
    .definition(`label_values(${source}, pod)`)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.NaturalAsc)
    .multi(true)
    .includeAll(true)
    .allValue(".*")
    .current({ text: "All", value: "$__all" });
}

/** Each chaos action at the time it happened: the series' value is the event's unix time in seconds. */
export function chaosAnnotation(): dashboard.AnnotationQueryBuilder {
  const expr = 'crosspod:chaos_event_timestamp_seconds{run=~"$run"} * 1000';
  return new dashboard.AnnotationQueryBuilder()
    .name("Chaos events")
    .datasource(prometheusDatasource)
    .enable(true)
    .iconColor("red")
    .target(new prometheus.DataqueryBuilder().datasource(prometheusDatasource).expr(expr))
    .expr(expr)
    .step("5s")
    .titleFormat("{{action}} {{target}}")
    .tagKeys("action,target")
    .useValueForTime(true);
}
