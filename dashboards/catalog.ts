// Every crosspod dashboard with the JSON file it is built into, and the one way to render it.
import type * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { backendDashboard } from "./backend.js";
import { deliveryDashboard } from "./delivery.js";
import { fanoutDashboard } from "./fanout.js";
import { runDashboard } from "./run.js";

export const dashboards: { file: string; build: () => dashboard.DashboardBuilder }[] = [
  { file: "fanout.json", build: fanoutDashboard },
  { file: "delivery.json", build: deliveryDashboard },
  { file: "backend.json", build: backendDashboard },
  { file: "run.json", build: runDashboard },
];

/** Panel ids follow layout order, so a rebuilt dashboard keeps the same ids and links (viewPanel=N). */
export function renderDashboard(builder: dashboard.DashboardBuilder): string {
  const built = builder.build();
  built.panels?.forEach((panel, index) => {
    panel.id = index + 1;
  });
  return `${JSON.stringify(built, null, 2)}\n`;
}
