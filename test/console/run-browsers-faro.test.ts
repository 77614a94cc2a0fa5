// `crosspod run --browsers 1` as a user runs it (a real process, its local cluster, one Chromium page):
// the run starts its own Faro collector, prints where its metrics are, and the page's RUM reaches
// crosspod_browser_* on that /metrics, labelled with the run's id, while the run is under way.
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { reportSchema } from "../../lib/core/report-model.js";
import { findChromium } from "../../lib/engine/browser-pages.js";
import { runNode } from "../fixtures/node-process.js";
import { skipWithoutRedis } from "../fixtures/redis.js";
import { waitFor } from "../fixtures/wait-for.js";

const chromiumPath = findChromium();
if (!chromiumPath)
  console.warn("SKIPPING run --browsers Faro test: chromium not found (apt-get install chromium)");

describe.skipIf(skipWithoutRedis || !chromiumPath)("crosspod run --browsers", () => {
  const workDir = mkdtempSync(join(tmpdir(), "crosspod-run-faro-"));
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill("SIGKILL");
    rmSync(workDir, { recursive: true, force: true });
  });

  it("starts a Faro collector whose /metrics get the pages' render latency, labelled with the run", async () => {
    const reportFile = join(workDir, "report.json");
    const args = ["run", "cross-pod-load", "--browsers", "1", "--connections", "6", "--rate", "5"];
    args.push("--duration", "1s", "--ramp", "0.5s", "--drain", "1s", "--replicas", "1", "--out", reportFile);
    // Invariants only: latency and generator lag on a shared machine say nothing about the wiring under test.
    args.push("--threshold", "crosspod_fanout_latency:p(99)<10000");
    args.push("--max-generator-lag", "1000", "--max-generator-cpu", "400");
    const cli = runNode(["dist/cli.js", ...args]);
    const run = cli.child;
    child = run;

    const metricsUrl = await waitFor(
      () => {
        if (run.exitCode !== null) throw new Error(`crosspod run exited early:\n${cli.stderr()}`);
        return /^faro: \S+ \(browser metrics (\S+)\)$/m.exec(cli.stderr())?.[1];
      },
      "the run to print its Faro collector",
      30_000,
      200,
    );
    const runId = await waitFor(
      async () => {
        if (run.exitCode !== null)
          throw new Error(`crosspod run exited before Faro data arrived:\n${cli.stderr()}`);
        const text = await fetch(metricsUrl).then(
          (response) => response.text(),
          () => "",
        );
        const sample = /^crosspod_browser_render_latency_seconds_count\{(.*)\} ([0-9.]+)$/m.exec(text);
        if (!sample || Number(sample[2]) === 0) return undefined;
        expect(sample[1]).toMatch(/pod="pod-a"/);
        return /run="([^"]+)"/.exec(sample[1] ?? "")?.[1];
      },
      "the run's id in the collector's metrics",
      30_000,
      200,
    );

    expect((await cli.exited).code, cli.stdout()).toBe(0);
    expect(cli.stdout()).toContain(`browser metrics: ${metricsUrl} (closed with the run)`);
    expect(cli.stdout()).toContain("Browser · 1 console page · 0 page errors");
    const report = reportSchema.parse(JSON.parse(readFileSync(reportFile, "utf8")));
    expect(report.run.id).toBe(runId);
    expect(report.browser?.renderLatency["pod-a"]?.count).toBe(report.overall.triggers.accepted);
    await expect(fetch(metricsUrl)).rejects.toThrow();
  }, 90_000);
});
