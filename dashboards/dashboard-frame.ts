// The frame every crosspod dashboard shares: generated, read-only, a 15 min window refreshed every 5 s,
// crosshair tooltips, the datasource variable, and the chosen run's chaos events as annotations. Each
// dashboard adds its other variables and panels.
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { chaosAnnotation, datasourceVariable } from "./variables.js";

export function dashboardFrame(title: string, uid: string, description: string): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(["crosspod", "generated"])
    .readonly()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .refresh("5s")
    .time({ from: "now-15m", to: "now" })
    .timezone("browser")
    .withVariable(datasourceVariable())
    .annotation(chaosAnnotation());
}
