// A target file for the reference backend behaves like --targets: names from each pod's hello, seq
// accounting, and the same delivery figures; `target check` reads seq and origin from its frames.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCluster, startLocalCluster } from "../../lib/cluster/local-cluster.js";
import { reportSchema } from "../../lib/core/report-model.js";
import { runCli } from "../fixtures/node-process.js";
import { skipWithoutRedis } from "../fixtures/redis.js";

describe.skipIf(skipWithoutRedis)("a crosspod target file against the reference backend", () => {
  const workDir = mkdtempSync(join(tmpdir(), "crosspod-target-"));
  let cluster: LocalCluster | undefined;
  let targetFile: string;

  beforeAll(async () => {
    cluster = await startLocalCluster({ replicas: 3 });
    targetFile = join(workDir, "target.json");
    writeFileSync(
      targetFile,
      JSON.stringify({ adapter: "crosspod", pods: cluster.pods.map((pod) => ({ url: pod.httpUrl })) }),
    );
  }, 60_000);

  afterAll(async () => {
    await cluster?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it("target check reads the seq, origin and probe of the threat every pod delivered", async () => {
    const result = await runCli(["target", "check", targetFile]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/adapter crosspod, 3 pods, accounting seq/);
    for (const pod of ["pod-a", "pod-b", "pod-c"]) {
      expect(result.stdout).toMatch(
        new RegExp(`${pod} delivered: id \\S+, seq \\d+, published .*origin pod-a, probe n=1`),
      );
    }
  });

  it("run judges delivery by seq with the names the pods gave", async () => {
    const out = join(workDir, "report.json");
    const result = await runCli([
      "run",
      "cross-pod-load",
      "--engine",
      "node",
      "--target",
      targetFile,
      "--connections",
      "30",
      "--ramp",
      "0.5s",
      "--rate",
      "10",
      "--duration",
      "2s",
      "--drain",
      "2s",
      "--threshold",
      "crosspod_fanout_latency:p(99)<60000",
      "--out",
      out,
    ]);
    const report = reportSchema.parse(JSON.parse(readFileSync(out, "utf8")));
    const context = JSON.stringify({ delivery: report.overall.delivery, events: report.events });
    expect(report.run).toMatchObject({
      accounting: "seq",
      delivery: "recover",
      settings: { adapter: "crosspod" },
    });
    expect(Object.keys(report.pods).sort()).toEqual(["pod-a", "pod-b", "pod-c"]);
    expect(report.overall.delivery, context).toMatchObject({
      expected: 30 * 20,
      received: 30 * 20,
      lost: 0,
      duplicates: 0,
      outOfOrder: 0,
    });
    expect([0, 99], result.stderr).toContain(result.code);
  });
});
