// `npm run dashboards`: writes each dashboard's JSON beside its source (dashboards/*.json), for Grafana to provision.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { dashboards, renderDashboard } from "./catalog.js";

for (const { file, build } of dashboards) {
  const path = join(import.meta.dirname, file);
  await writeFile(path, renderDashboard(build()));
  console.log(`wrote ${path}`);
}
