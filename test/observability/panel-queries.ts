// Reads every PromQL query out of the generated dashboard JSON, with Grafana's variables substituted,
// so tests can check them against promtool or a live Prometheus.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { dashboards } from "../../dashboards/catalog.js";

export interface PanelQuery {
  dashboard: string;
  panel: string;
  expr: string;
}

interface DashboardJson {
  title: string;
  panels?: { type: string; title: string; targets?: { expr?: string }[] }[];
  annotations?: { list?: { name: string; expr?: string }[] };
}

export const dashboardsDir = join(import.meta.dirname, "../../dashboards");

export function readDashboardJson(file: string): DashboardJson {
  return JSON.parse(readFileSync(join(dashboardsDir, file), "utf8")) as DashboardJson;
}

/** What Grafana sends for the chosen run, "All" pods, and its rate interval. */
export function substituteVariables(expr: string, run: string, rateInterval = "30s"): string {
  return expr.replaceAll("$__rate_interval", rateInterval).replaceAll("$run", run).replaceAll("$pod", ".*");
}

/** Every panel target and annotation query of every dashboard, variables substituted. */
export function panelQueries(run: string): PanelQuery[] {
  const queries: PanelQuery[] = [];
  for (const { file } of dashboards) {
    const json = readDashboardJson(file);
    for (const panel of json.panels ?? []) {
      for (const target of panel.targets ?? []) {
        if (target.expr) {
          queries.push({
            dashboard: json.title,
            panel: panel.title,
            expr: substituteVariables(target.expr, run),
          });
        }
      }
    }
    for (const annotation of json.annotations?.list ?? []) {
      if (annotation.expr) {
        queries.push({
          dashboard: json.title,
          panel: `annotation: ${annotation.name}`,
          expr: substituteVariables(annotation.expr, run),
        });
      }
    }
  }
  return queries;
}
