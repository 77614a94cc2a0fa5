// `crosspod report compare` and `crosspod report render` as a release pipeline runs them: real processes on
// saved reports, the table and the exit codes, and a run killed with SIGKILL whose checkpoint renders.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type LocalCluster, startLocalCluster } from "../../lib/cluster/local-cluster.js";
import { renderJsonReport } from "../../lib/core/report-json.js";
import { reportSchema } from "../../lib/core/report-model.js";
import { runCli, runNode } from "../fixtures/node-process.js";
import { skipWithoutRedis } from "../fixtures/redis.js";
import { waitFor } from "../fixtures/wait-for.js";
import { sampleReport } from "../report/sample-report.js";

const workDir = mkdtempSync(join(tmpdir(), "crosspod-report-cli-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function saved(name: string, edit: (report: ReturnType<typeof sampleReport>) => void = () => {}): string {
  const report = sampleReport();
  edit(report);
  const path = join(workDir, name);
  writeFileSync(path, renderJsonReport(report));
  return path;
}

describe("crosspod report compare", () => {
  const baseline = saved("baseline.json");

  it("prints the side-by-side table and exits 0 when nothing regressed", async () => {
    const { code, stdout, stderr } = await runCli(["report", "compare", baseline, saved("same.json")]);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^\s+baseline\s+candidate\s+change$/m);
    expect(stdout).toMatch(/fan-out p99 · pod-b\s+[\d.]+ ms\s+[\d.]+ ms\s+\+0\.0%/);
    expect(stdout).toMatch(/^PASS · no regression beyond the limits$/m);
  });

  it("exits 99 naming the regressions: p99 beyond +20 % and new loss", async () => {
    const candidate = saved("worse.json", (report) => {
      const pod = report.pods["pod-c"];
      if (pod) pod.fanout = { ...pod.fanout, p99: pod.fanout.p99 * 1.5 };
      report.overall.delivery.lost = 2;
    });
    const { code, stdout } = await runCli(["report", "compare", baseline, candidate]);
    expect(code).toBe(99);
    expect(stdout).toMatch(/^FAIL · 2 regressions:$/m);
    expect(stdout).toMatch(/fan-out p99 · pod-c .* \+ 20%/);
    expect(stdout).toContain("lost 2 frames (baseline 0): new loss");
    const relaxed = await runCli([
      "report",
      "compare",
      baseline,
      candidate,
      "--max-p99-increase",
      "60%",
      "--allow-new-loss",
    ]);
    expect(relaxed.code, relaxed.stdout).toBe(0);
  });

  it("refuses runs of different profiles without --force (exit 2), and compares them with it", async () => {
    const soak = saved("soak.json", (report) => {
      report.run.profile = "soak";
    });
    const refused = await runCli(["report", "compare", baseline, soak]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("profiles differ: baseline cross-pod-load, candidate soak");
    expect(refused.stderr).toContain("--force");
    const forced = await runCli(["report", "compare", baseline, soak, "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain("note: profiles differ");
  });

  it("rejects a file that is not a crosspod report, naming it", async () => {
    const bogus = join(workDir, "bogus.json");
    writeFileSync(bogus, '{"hello": 1}');
    const { code, stderr } = await runCli(["report", "compare", baseline, bogus]);
    expect(code).toBe(2);
    expect(stderr).toContain(bogus);
  });
});

describe.skipIf(skipWithoutRedis)("a run killed mid-soak", () => {
  let cluster: LocalCluster | undefined;
  afterAll(async () => {
    await cluster?.close();
  });

  it("leaves a checkpoint that report render turns into a console summary and an HTML report", async () => {
    cluster = await startLocalCluster({ replicas: 2 });
    const dir = join(workDir, "checkpoints");
    const checkpoint = join(dir, "checkpoint.json");
    const run = runNode([
      "dist/cli.js",
      "run",
      "soak",
      "--targets",
      cluster.pods.map((pod) => pod.httpUrl).join(","),
      "--connections",
      "20",
      "--rate",
      "20",
      "--duration",
      "60s",
      "--ramp",
      "1s",
      "--checkpoint",
      dir,
      "--checkpoint-every",
      "2s",
    ]);
    try {
      await waitFor(
        () =>
          existsSync(checkpoint) &&
          JSON.parse(readFileSync(checkpoint, "utf8")).overall.delivery.received > 0,
        `a checkpoint with frames in it\n${run.stderr()}`,
        30_000,
        200,
      );
    } finally {
      run.child.kill("SIGKILL");
    }
    expect(await run.exited).toEqual({ code: null, signal: "SIGKILL" });
    const partial = reportSchema.parse(JSON.parse(readFileSync(checkpoint, "utf8")));
    expect(partial.validity.valid).toBe(false);
    expect(partial.validity.reasons[0]).toMatch(/^partial report: a checkpoint \d+ s into the run/);
    expect(partial.drift?.pods).toBeDefined();

    const html = join(workDir, "r.html");
    const rendered = await runCli(["report", "render", checkpoint, "--html", html]);
    expect(rendered.code, rendered.stderr).toBe(0);
    expect(rendered.stdout).toContain(`crosspod soak · run ${partial.run.id}`);
    expect(rendered.stdout).toMatch(/INVALID: partial report/);
    expect(readFileSync(html, "utf8")).toContain(partial.run.id);
  }, 60_000);
});
