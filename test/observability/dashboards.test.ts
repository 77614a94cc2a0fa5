// The committed dashboards are exactly what `npm run dashboards` builds, and every panel is complete and
// queries series that exist: recorded by our rules or exported by the backend.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { dashboards, renderDashboard } from "../../dashboards/catalog.js";
import { defaultRuleFiles } from "../../lib/cluster/prometheus-server.js";
import { backendMetrics, loadMetrics } from "../../lib/core/metric-names.js";
import { findBinary } from "../../lib/node-platform/find-binary.js";
import { dashboardsDir, panelQueries, readDashboardJson } from "./panel-queries.js";

const promtool = findBinary("promtool");

describe("dashboards", () => {
  it("commits JSON identical to what npm run dashboards generates", async () => {
    for (const { file, build } of dashboards) {
      const committed = await readFile(join(dashboardsDir, file), "utf8");
      expect(committed, `${file} is stale: run npm run dashboards`).toBe(renderDashboard(build()));
    }
  });

  it("gives each dashboard a stable uid and the datasource, run and pod variables", () => {
    const uids = dashboards
      .map(({ file }) => readDashboardJson(file))
      .map((json) => json as { uid?: string });
    expect(uids.map((json) => json.uid)).toEqual([
      "crosspod-fanout",
      "crosspod-delivery",
      "crosspod-backend",
      "crosspod-run",
    ]);
    for (const { file } of dashboards) {
      const json = readDashboardJson(file) as { templating?: { list?: { name: string }[] } };
      expect(
        json.templating?.list?.map((v) => v.name),
        file,
      ).toEqual(["datasource", "run", "pod"]);
    }
  });

  it("gives every panel a unit, a description, and the Prometheus the datasource variable picks", () => {
    for (const { file } of dashboards) {
      const json = readDashboardJson(file) as {
        panels: {
          type: string;
          title: string;
          description?: string;
          datasource?: { uid: string };
          fieldConfig?: { defaults?: { unit?: string } };
        }[];
      };
      for (const panel of json.panels.filter((p) => p.type !== "row")) {
        const where = `${file}: ${panel.title}`;
        // An alert list shows rules, not fields: it has no unit.
        if (panel.type !== "alertlist") expect(panel.fieldConfig?.defaults?.unit, where).toMatch(/.+/);
        expect(panel.description, where).toMatch(/.{10,}/);
        expect(panel.datasource?.uid, where).toBe("$datasource");
      }
    }
  });

  it("queries only crosspod:* series that a rule records and raw series the backend exports", async () => {
    const rules = await Promise.all(defaultRuleFiles().map((file) => readFile(file, "utf8")));
    const recorded = new Set(rules.flatMap((text) => [...text.matchAll(/record: (\S+)/g)].map((m) => m[1])));
    const exported = new Set<string>([
      ...Object.values(backendMetrics),
      // The fan-out panels' exemplar queries read raw buckets: exemplars are not kept on recorded series.
      `${backendMetrics.fanoutSeconds}_bucket`,
      `${loadMetrics.fanoutLatency}_seconds_bucket`,
      "nodejs_eventloop_lag_p99_seconds",
      "up",
      "ALERTS",
    ]);
    for (const { dashboard, panel, expr } of panelQueries("r")) {
      const names = [...expr.matchAll(/\b([a-zA-Z_][a-zA-Z0-9_:]*)\s*\{/g)].map((m) => m[1] ?? "");
      expect(names.length, `${dashboard} / ${panel}: ${expr}`).toBeGreaterThan(0);
      for (const name of names) {
        const known = name.startsWith("crosspod:") ? recorded.has(name) : exported.has(name);
        expect(known, `${dashboard} / ${panel} queries unknown series ${name}`).toBe(true);
      }
    }
  });

  it.skipIf(!promtool && process.env.CI !== "true")(
    "writes every query as PromQL that promtool accepts",
    async () => {
      if (!promtool)
        throw new Error("promtool not found on PATH: run scripts/setup (apt-get install prometheus)");
      const queries = panelQueries("r");
      const dir = await mkdtemp(join(tmpdir(), "crosspod-panel-queries-"));
      try {
        const file = join(dir, "panel-queries.rules.yml");
        const rules = queries.map(({ expr }, i) => ({ record: `panel_query_${i}`, expr }));
        await writeFile(file, stringify({ groups: [{ name: "panel-queries", rules }] }));
        const { stdout } = await promisify(execFile)(promtool, ["check", "rules", file]);
        expect(stdout).toContain(`SUCCESS: ${queries.length} rules found`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
