// `crosspod run --dashboard[=PORT]`: starts the live dashboard for a Node-engine run as part of the run's
// local stack (closed with it) and prints its URL.
import { type LiveDashboard, startDashboard } from "../engine/dashboard/dashboard-server.js";
import type { LocalStack } from "./local-stack.js";
import type { RunConfig } from "./run-options.js";

export async function startRunDashboard(
  stack: LocalStack,
  config: RunConfig,
  runId: string,
): Promise<LiveDashboard | undefined> {
  if (config.dashboardPort === undefined) return undefined;
  const dashboard = stack.adopt(
    "dashboard",
    await startDashboard({ port: config.dashboardPort, runId, profile: config.profile.name }),
  );
  console.error(`dashboard: ${dashboard.url}`);
  return dashboard;
}
