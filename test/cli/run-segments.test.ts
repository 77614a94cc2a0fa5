// A run split over runners with execution segments: `--runners N` on this machine, and `--segment i/N`
// processes as a user would start them on N machines, merged by `crosspod report merge`. The split run
// must count exactly what one run counts, and one runner's losses must fail the one verdict.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCluster, startLocalCluster } from "../../lib/cluster/local-cluster.js";
import type { Report } from "../../lib/core/report-model.js";
import { runCli } from "../fixtures/node-process.js";
import { type LossyPodProxy, startLossyPodProxy } from "./support/lossy-pod-proxy.js";

const dir = mkdtempSync(join(tmpdir(), "crosspod-segments-"));
const workload = ["--connections", "24", "--rate", "5", "--duration", "3s", "--ramp", "1s", "--drain", "10s"];
// The runners share two cores with the pods and each other: judge delivery, not the generator's CPU or
// latency (a loaded machine can push fan-out p99 past the profile's 250 ms; that is not what is tested).
const relaxedGenerator = [
  "--max-generator-cpu",
  "400",
  "--max-generator-lag",
  "1000",
  "--threshold",
  "crosspod_fanout_latency:p(99)<60000",
];

function readReport(path: string): Report {
  return JSON.parse(readFileSync(path, "utf8")) as Report;
}

let cluster: LocalCluster;
let proxies: LossyPodProxy[] = [];

beforeAll(async () => {
  cluster = await startLocalCluster({ replicas: 3 });
}, 60_000);

afterAll(async () => {
  await Promise.all(proxies.map((proxy) => proxy.close()));
  await cluster?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a run split over runners", () => {
  it("--runners 3 counts every frame of every trigger on every connection, as one run does", async () => {
    const targets = cluster.pods.map((pod) => pod.httpUrl).join(",");
    const single = join(dir, "single.json");
    const split = join(dir, "split.json");
    const one = await runCli([
      "run",
      "cross-pod-load",
      "--targets",
      targets,
      ...workload,
      ...relaxedGenerator,
      "--out",
      single,
    ]);
    expect(one.code, one.stderr).toBe(0);
    const three = await runCli([
      "run",
      "cross-pod-load",
      "--targets",
      targets,
      "--runners",
      "3",
      "--coordinate",
      cluster.redisUrl,
      ...workload,
      ...relaxedGenerator,
      "--out",
      split,
    ]);
    expect(three.code, `${three.stdout}\n${three.stderr}`).toBe(0);
    const merged = readReport(split);
    const alone = readReport(single);
    expect(merged.run.segments).toEqual(["0:1/3", "1/3:2/3", "2/3:1"]);
    for (const report of [merged, alone]) {
      expect(report.overall.connections.opened).toBe(24);
      expect(report.overall.triggers.accepted).toBe(15);
      expect(report.overall.delivery.received).toBe(24 * 15);
      expect(report.overall.delivery.expected).toBe(24 * 15);
      expect(report.overall.delivery.lost).toBe(0);
    }
    for (const pod of ["pod-a", "pod-b", "pod-c"]) {
      expect(merged.pods[pod]?.connections.opened).toBe(alone.pods[pod]?.connections.opened);
    }
    expect(three.stdout).toMatch(/^PASS /m);
  }, 120_000);

  it("fails the merged verdict when one runner's clients lose frames, though the others pass alone", async () => {
    proxies = await Promise.all(cluster.pods.map((pod) => startLossyPodProxy(pod.httpUrl, 4)));
    const direct = cluster.pods.map((pod) => pod.httpUrl).join(",");
    const lossy = proxies.map((proxy) => proxy.url).join(",");
    const runId = `segments-${Date.now()}`;
    const runner = (index: number, targets: string) =>
      runCli([
        "run",
        "cross-pod-load",
        "--targets",
        targets,
        "--segment",
        `${index}/3`,
        "--run-id",
        runId,
        "--coordinate",
        cluster.redisUrl,
        ...workload,
        ...relaxedGenerator,
        "--out",
        join(dir, `part-${index}.json`),
      ]);
    const results = await Promise.all([runner(1, direct), runner(2, direct), runner(3, lossy)]);
    expect(results.map((result) => result.code)).toEqual([0, 0, 99]);
    const merge = await runCli([
      "report",
      "merge",
      ...[1, 2, 3].map((index) => join(dir, `part-${index}.json`)),
      "--out",
      join(dir, "merged-lossy.json"),
    ]);
    expect(merge.code, merge.stderr).toBe(99);
    const merged = readReport(join(dir, "merged-lossy.json"));
    const lostByRunner3 = readReport(join(dir, "part-3.json")).overall.delivery.lost;
    expect(lostByRunner3).toBeGreaterThan(0);
    expect(merged.overall.delivery.lost).toBe(lostByRunner3);
    expect(merged.overall.delivery.expected).toBe(24 * 15);
    expect(merge.stdout).toMatch(/^FAIL .*crosspod_lost/m);
    // The same parts, as the runners stored them in Redis (what a Kubernetes Job merges).
    const fromRedis = await runCli(["report", "merge", "--redis", cluster.redisUrl, "--run-id", runId]);
    expect(fromRedis.code, fromRedis.stderr).toBe(99);
    expect(fromRedis.stdout).toContain(`merged 3 reports of run ${runId}`);
  }, 120_000);

  it("says which runners did not report when merging from Redis times out", async () => {
    const { code, stderr } = await runCli([
      "report",
      "merge",
      "--redis",
      cluster.redisUrl,
      "--run-id",
      "nobody-ran-this",
      "--timeout",
      "1s",
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain("run nobody-ran-this: no runner has reported after 1s");
  });
});
