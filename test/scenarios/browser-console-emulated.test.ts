// The built browser-console bundle in an emulated k6 (k6's modules over real sockets, redis-server and a
// real Chromium for k6/browser) against two real replicas: the console pages measure render latency in the
// page and the scenario records it per pod, as the k6 Trend and in the report, beside a normal
// cross-pod-load. Real-k6 runs: browser-console-real.test.ts.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaroCollector, startFaroCollector } from "../../lib/cluster/faro-collector.js";
import { type LocalCluster, startLocalCluster } from "../../lib/cluster/local-cluster.js";
import { parseReport } from "../../lib/core/report-json.js";
import type { Report } from "../../lib/core/report-model.js";
import { chromiumArgs, findChromium } from "../../lib/engine/browser-pages.js";
import { k6BundleTargets } from "../../lib/engine/k6-bundle-targets.js";
import { buildK6Target } from "../../scripts/k6-bundles.js";
import { skipWithoutRedis } from "../fixtures/redis.js";
import { type BrowserRunResult, emulateBrowserRun } from "./browser-k6-emulation.js";

const chromiumPath = findChromium();
if (!chromiumPath)
  console.warn("SKIPPING emulated browser-console tests: chromium not found (apt-get install chromium)");

describe.skipIf(skipWithoutRedis || !chromiumPath)(
  "the browser-console bundle in an emulated k6 against two replicas",
  () => {
    const triggerRate = 5;
    const durationSeconds = 2;
    let workDir: string;
    let cluster: LocalCluster | undefined;
    let collector: FaroCollector | undefined;
    let browser: Browser | undefined;
    let result: BrowserRunResult;
    let report: Report;

    beforeAll(async () => {
      workDir = await mkdtemp(join(tmpdir(), "crosspod-k6-browser-"));
      const defaultTarget = k6BundleTargets.find((target) => target.dir === "v2");
      if (!defaultTarget) throw new Error("no default k6 bundle target");
      let built: Awaited<ReturnType<typeof buildK6Target>>;
      [built, cluster, collector, browser] = await Promise.all([
        buildK6Target(defaultTarget, workDir),
        startLocalCluster({ replicas: 2 }),
        startFaroCollector(),
        chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs }),
      ]);
      expect(built.errors).toEqual([]);
      const reportPath = join(workDir, "browser.json");
      result = await emulateBrowserRun(
        join(workDir, "k6", "v2", "browser-console.js"),
        {
          TARGETS: cluster.pods.map((pod) => pod.httpUrl).join(","),
          REDIS_URL: cluster.redisUrl,
          CROSSPOD_OUT: reportPath,
          CROSSPOD_HTML: "",
          CROSSPOD_BROWSERS: "2",
          CROSSPOD_FARO_URL: collector.url,
          CROSSPOD_CONNECTIONS: "4",
          CROSSPOD_CONNECTIONS_PER_VU: "2",
          CROSSPOD_RATE: String(triggerRate),
          CROSSPOD_DURATION: String(durationSeconds),
          // No ramp to cover the pages' start-up: the emulator starts the run once every page said hello.
          CROSSPOD_RAMP: "0",
          CROSSPOD_DRAIN: "1",
          CROSSPOD_THRESHOLDS: JSON.stringify({ crosspod_fanout_latency: [] }),
        },
        browser,
      );
      const json = result.files[reportPath];
      if (json === undefined)
        throw new Error(`handleSummary wrote no ${reportPath}: ${Object.keys(result.files)}`);
      report = parseReport(json, reportPath);
    }, 90_000);

    afterAll(async () => {
      await browser?.close();
      await collector?.close();
      await cluster?.close();
      if (workDir) await rm(workDir, { recursive: true, force: true });
    });

    it("runs browser VUs in k6's Chromium beside the subscribers and publishers", () => {
      const scenarios = result.options.scenarios ?? {};
      expect(Object.keys(scenarios).sort()).toEqual(["browsers", "publishers", "subscribers"]);
      expect(scenarios.browsers).toMatchObject({
        executor: "per-vu-iterations",
        exec: "browsers",
        vus: 2,
        iterations: 1,
        options: { browser: { type: "chromium" } },
      });
      const faro = encodeURIComponent(collector?.url ?? "");
      expect(result.pageUrls.sort()).toEqual(
        (cluster?.pods ?? []).map((pod) => `${pod.httpUrl}/?faro=${faro}`).sort(),
      );
      expect(result.missingModules.filter((name) => name !== "zlib")).toEqual([]);
    });

    it("records every row's render latency, measured in the page, as crosspod_browser_render_latency per pod", () => {
      const accepted = report.overall.triggers.accepted;
      expect(accepted).toBe(triggerRate * durationSeconds);
      const series = result.sink.export().find((item) => item.name === "crosspod_browser_render_latency");
      expect(series?.isTime).toBe(true);
      for (const pod of ["pod-a", "pod-b"]) {
        const samples = series?.values.filter((_, index) => series.tags[index]?.pod === pod) ?? [];
        expect(samples, pod).toHaveLength(accepted);
        for (const latencyMs of samples) expect(latencyMs).toBeGreaterThanOrEqual(0);
        expect(result.sink.total("crosspod_browser_rows", { name: "pod", value: pod })).toBe(accepted);
      }
      expect(result.sink.total("crosspod_browser_page_errors")).toBe(0);
    });

    it("adds the browser section to the report, with the WebSocket load delivered as usual", () => {
      const accepted = report.overall.triggers.accepted;
      expect(report.browser?.pages).toBe(2);
      expect(Object.keys(report.browser?.renderLatency ?? {}).sort()).toEqual(["pod-a", "pod-b"]);
      expect(report.browser?.renderLatency["pod-a"]?.count).toBe(accepted);
      expect(report.browser?.pageDelay["pod-b"]?.count).toBe(accepted);
      expect(report.browser?.pageErrors).toEqual([]);
      expect(report.overall.delivery).toMatchObject({
        expected: 4 * accepted,
        received: 4 * accepted,
        lost: 0,
      });
      expect(result.files.stdout).toContain("Browser · 2 console pages · 0 page errors");
    });

    it("points the pages' Faro RUM at CROSSPOD_FARO_URL", async () => {
      const text = await fetch(collector?.metricsUrl ?? "").then((response) => response.text());
      const count = /^crosspod_browser_render_latency_seconds_count\{pod="pod-a"\} (\d+)$/m.exec(text);
      expect(Number(count?.[1] ?? 0)).toBeGreaterThan(0);
    });
  },
);
