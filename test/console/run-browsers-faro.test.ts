// `crosspod run --browsers 1` as a user runs it (a real process, its local cluster, one Chromium page):
// the run starts its own Faro collector, prints where its metrics are, and the page's RUM reaches
// crosspod_browser_* on that /metrics, labelled with the run's id, while the run is under way.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { reportSchema } from "../../lib/core/report-model.js";
import { findChromium } from "../../lib/engine/browser-pages.js";
import { skipWithoutRedis } from "../fixtures/redis.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const chromiumPath = findChromium();
if (!chromiumPath)
  console.warn("SKIPPING run --browsers Faro test: chromium not found (apt-get install chromium)");

async function waitFor<T>(what: string, timeoutMs: number, read: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

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
    const run = spawn(process.execPath, ["dist/cli.js", ...args], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = run;
    let stdout = "";
    let stderr = "";
    run.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    run.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => run.once("exit", (code) => resolve(code)));

    const metricsUrl = await waitFor("the run to print its Faro collector", 30_000, async () => {
      if (run.exitCode !== null) throw new Error(`crosspod run exited early:\n${stderr}`);
      return /^faro: \S+ \(browser metrics (\S+)\)$/m.exec(stderr)?.[1];
    });
    const runId = await waitFor("the run's id in the collector's metrics", 30_000, async () => {
      if (run.exitCode !== null) throw new Error(`crosspod run exited before Faro data arrived:\n${stderr}`);
      const text = await fetch(metricsUrl).then(
        (response) => response.text(),
        () => "",
      );
      const sample = /^crosspod_browser_render_latency_seconds_count\{(.*)\} ([0-9.]+)$/m.exec(text);
      if (!sample || Number(sample[2]) === 0) return undefined;
      expect(sample[1]).toMatch(/pod="pod-a"/);
      return /run="([^"]+)"/.exec(sample[1] ?? "")?.[1];
    });

    expect(await exited, stdout).toBe(0);
    expect(stdout).toContain(`browser metrics: ${metricsUrl} (closed with the run)`);
    expect(stdout).toContain("Browser · 1 console page · 0 page errors");
    const report = reportSchema.parse(JSON.parse(readFileSync(reportFile, "utf8")));
    expect(report.run.id).toBe(runId);
    expect(report.browser?.renderLatency["pod-a"]?.count).toBe(report.overall.triggers.accepted);
    await expect(fetch(metricsUrl)).rejects.toThrow();
  }, 90_000);
});
