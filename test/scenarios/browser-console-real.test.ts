// The browser-console scenario run by a real k6 (its own browser module driving Debian's Chromium) against
// a local cluster: every console page records every accepted trigger's render latency as
// crosspod_browser_render_latency tagged with its pod, and the report carries the browser section. Needs K6_BIN
// naming a k6 binary with xk6-redis (a k6 on PATH alone is not run) and chromium; without them it skips with
// a message, even under CI.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCluster, startLocalCluster } from "../../lib/cluster/local-cluster.js";
import { parseReport } from "../../lib/core/report-json.js";
import { findChromium } from "../../lib/engine/browser-pages.js";
import { bundlePath, bundleTargetFor } from "../../lib/engine/k6-bundle-targets.js";
import { findK6 } from "../../lib/engine/k6-runner.js";
import { readK6Version } from "../../lib/engine/k6-version.js";
import { skipWithoutRedis } from "../fixtures/redis.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const k6Binary = process.env.K6_BIN ? findK6() : undefined;
const chromiumPath = findChromium();
if (k6Binary === undefined) {
  console.warn(
    "SKIPPING real-k6 browser-console test: K6_BIN is not set to a k6 binary (install k6 with xk6-redis, see the README's k6 section)",
  );
} else if (chromiumPath === undefined) {
  console.warn(
    "SKIPPING real-k6 browser-console test: k6's browser needs chromium (apt-get install chromium)",
  );
}
const skip = k6Binary === undefined || chromiumPath === undefined || skipWithoutRedis;

interface JsonSample {
  type: string;
  metric: string;
  data?: { value: number; tags?: Record<string, string> };
}

describe.skipIf(skip)("the browser-console scenario in a real k6 against two replicas", () => {
  const triggerRate = 5;
  const durationSeconds = 3;
  let workDir: string;
  let cluster: LocalCluster | undefined;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), "crosspod-k6-browser-real-"));
    cluster = await startLocalCluster({ replicas: 2 });
  });

  afterAll(async () => {
    await cluster?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it("records each page's render latency per pod and writes the report's browser section", async () => {
    if (!cluster || !k6Binary || !chromiumPath) throw new Error("the cluster, k6 or chromium is missing");
    const version = await readK6Version(k6Binary);
    const bundle = bundlePath(bundleTargetFor(version), "browser-console");
    const reportPath = join(workDir, "report.json");
    const samplesPath = join(workDir, "samples.json");
    const env = {
      ...process.env,
      K6_BROWSER_HEADLESS: "true",
      K6_BROWSER_EXECUTABLE_PATH: chromiumPath,
      K6_BROWSER_ARGS: "no-sandbox,disable-gpu",
    };
    const args = ["run", "--quiet", `--out=json=${samplesPath}`];
    const vars = {
      TARGETS: cluster.pods.map((pod) => pod.httpUrl).join(","),
      REDIS_URL: cluster.redisUrl,
      CROSSPOD_OUT: reportPath,
      CROSSPOD_HTML: "",
      CROSSPOD_BROWSERS: "2",
      CROSSPOD_CONNECTIONS: "4",
      CROSSPOD_CONNECTIONS_PER_VU: "2",
      CROSSPOD_RATE: String(triggerRate),
      CROSSPOD_DURATION: String(durationSeconds),
      // k6 launches Chromium per browser VU: give the pages time to be live before the first trigger.
      CROSSPOD_RAMP: "5",
      CROSSPOD_DRAIN: "2",
      CROSSPOD_THRESHOLDS: JSON.stringify({ crosspod_fanout_latency: [] }),
    };
    for (const [name, value] of Object.entries(vars)) args.push("-e", `${name}=${value}`);
    args.push(bundle);
    await promisify(execFile)(k6Binary, args, { cwd: repoRoot, env, timeout: 120_000 }).catch((error) => {
      const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
      throw new Error(`k6 ${version.text} failed on ${bundle}:\n${stdout}${stderr}`);
    });

    const report = parseReport(await readFile(reportPath, "utf8"), reportPath);
    const accepted = report.overall.triggers.accepted;
    expect(accepted).toBe(triggerRate * durationSeconds);
    const samples = (await readFile(samplesPath, "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as JsonSample)
      .filter((sample) => sample.type === "Point" && sample.metric === "crosspod_browser_render_latency");
    for (const pod of ["pod-a", "pod-b"]) {
      const podSamples = samples.filter((sample) => sample.data?.tags?.pod === pod);
      expect(podSamples, pod).toHaveLength(accepted);
      expect(report.browser?.renderLatency[pod]?.count, pod).toBe(accepted);
    }
    expect(report.browser?.pages).toBe(2);
    expect(report.browser?.pageErrors).toEqual([]);
  }, 180_000);
});
