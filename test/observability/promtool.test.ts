// promtool validates the Prometheus config (static and generated) and the rules, and runs the rules' unit tests.
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { renderPrometheusConfig, scrapeJobs } from "../../lib/cluster/prometheus-config.js";
import { defaultRuleFiles } from "../../lib/cluster/prometheus-server.js";
import { findBinary } from "../../lib/node-platform/find-binary.js";

const promtool = findBinary("promtool");
const prometheusDir = join(import.meta.dirname, "../../observability/prometheus");
const skip = !promtool && process.env.CI !== "true";
if (skip) console.warn("SKIPPING promtool tests: promtool not found (apt-get install prometheus)");

async function runPromtool(...args: string[]): Promise<string> {
  if (!promtool)
    throw new Error("promtool not found on PATH: run scripts/setup (apt-get install prometheus)");
  try {
    const { stdout, stderr } = await promisify(execFile)(promtool, args, { cwd: prometheusDir });
    return stdout + stderr;
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(" ")} failed:\n${stdout}${stderr}`);
  }
}

describe.skipIf(skip)("Prometheus config and rules", () => {
  const tempDirs: string[] = [];
  afterAll(async () => {
    await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it("accepts the docker compose prometheus.yml and the rule files it globs", async () => {
    const output = await runPromtool("check", "config", "prometheus.yml");
    expect(output).toContain("SUCCESS: 5 rule files found");
  });

  it("accepts a config generated for live loopback ports with every rule file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "crosspod-promtool-"));
    tempDirs.push(dir);
    const file = join(dir, "prometheus.yml");
    const config = renderPrometheusConfig({
      scrapeTargets: [
        { job: scrapeJobs.backend, targets: ["http://127.0.0.1:4001", "http://127.0.0.1:4002/metrics"] },
        { job: scrapeJobs.engine, targets: ["http://127.0.0.1:4100/metrics"], labels: { engine: "node" } },
        { job: scrapeJobs.browser, targets: ["http://127.0.0.1:4200/metrics"] },
      ],
      ruleFiles: defaultRuleFiles(),
    });
    await writeFile(file, config);
    await runPromtool("check", "config", file);
  });

  it("accepts every rule file", async () => {
    const output = await runPromtool("check", "rules", ...defaultRuleFiles());
    expect(output).not.toContain("FAILED");
  });

  it("computes the crosspod:* series from both engines' input series", async () => {
    await runPromtool("test", "rules", "tests/recording-rules.test.yml");
  });

  it("computes the crosspod:browser_* series from the Faro collector's histograms and k6's trends", async () => {
    await runPromtool("test", "rules", "tests/browser-rules.test.yml");
  });

  it("fires each alert when it should and keeps it silent when it should not", async () => {
    await runPromtool("test", "rules", "tests/alerts.test.yml");
  });

  it("fires the fan-out SLO's burn-rate alerts on fast and slow burns, never within the objective", async () => {
    await runPromtool("test", "rules", "tests/slo.test.yml");
  });

  it("has a unit test for every alert rule", async () => {
    const tests = await readdir(join(prometheusDir, "tests"));
    expect(tests.sort()).toEqual([
      "alerts.test.yml",
      "browser-rules.test.yml",
      "recording-rules.test.yml",
      "slo.test.yml",
    ]);
    const testText = (
      await Promise.all(tests.map((file) => readFile(join(prometheusDir, "tests", file), "utf8")))
    ).join("\n");
    const rules = await Promise.all(defaultRuleFiles().map((file) => readFile(file, "utf8")));
    const alertNames = rules.flatMap((text) => [...text.matchAll(/- alert: (\w+)/g)].map((m) => m[1]));
    expect(alertNames).toHaveLength(7);
    for (const name of alertNames) expect(testText).toContain(`alertname: ${name}`);
  });
});
