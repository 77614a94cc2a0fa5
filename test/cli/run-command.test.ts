// `crosspod run` as a user runs it: a real process against an auto-started local cluster (redis-server +
// 3 replicas), its exit codes, its JSON report, and no process left behind after Ctrl-C.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { reportSchema } from "../../lib/core/report-model.js";
import { installFakeK6 } from "../fixtures/fake-k6.js";
import { runCli, runNode, waitForOutput } from "../fixtures/node-process.js";
import { descendantPids, isAlive, procAvailable } from "../fixtures/process-tree.js";
import { skipWithoutRedis } from "../fixtures/redis.js";

const workDir = mkdtempSync(join(tmpdir(), "crosspod-run-test-"));
const fakeK6 = installFakeK6();
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
  fakeK6.remove();
});

// The machine running the suite is shared with the pods under test and with other test files, so the
// generator's own limits and the latency bound are relaxed here: these tests check delivery and exit
// codes, not this machine's headroom (under a load average of 15, fan-out p99 passed 250 ms).
const relaxedGenerator = ["--max-generator-lag", "1000", "--max-generator-cpu", "400"];
const relaxedLatency = ["--threshold", "crosspod_fanout_latency:p(99)<10000"];

describe.skipIf(skipWithoutRedis)("crosspod run against an auto-started local cluster", () => {
  it("delivers every trigger to every connection, in order, and exits 0 with a valid JSON report, on the Node engine even with k6 on PATH", async () => {
    const out = join(workDir, "report.json");
    const { code, stdout, stderr } = await runCli(
      [
        "run",
        "cross-pod-load",
        "--connections",
        "60",
        "--rate",
        "10",
        "--duration",
        "3s",
        "--ramp",
        "1s",
        "--out",
        out,
        ...relaxedGenerator,
        ...relaxedLatency,
      ],
      { PATH: fakeK6.path },
    );
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(stderr).toContain("engine node (--engine auto");
    expect(stderr).toContain(
      `k6 found at ${fakeK6.binary}; it runs only when asked: crosspod k6 cross-pod-load`,
    );
    expect(stderr).toMatch(/conns 60\/60 · triggers \d+\/30/);
    const report = reportSchema.parse(JSON.parse(readFileSync(out, "utf8")));
    const { delivery } = report.overall;
    expect(report.overall.triggers.accepted).toBe(30);
    expect(delivery.expected).toBe(60 * 30);
    expect(delivery.received).toBe(60 * 30);
    expect(report.overall.fanout.count).toBe(60 * 30);
    expect(delivery.lost).toBe(0);
    expect(delivery.outOfOrder).toBe(0);
    expect(delivery.duplicates).toBe(0);
    expect(Object.keys(report.pods).sort()).toEqual(["pod-a", "pod-b", "pod-c"]);
    expect(report.validity).toEqual({ valid: true, reasons: [] });
    expect(report.thresholds.every((threshold) => threshold.ok)).toBe(true);
    expect(stdout).toMatch(/^PASS · /m);
    expect(stdout).toMatch(/generator: 60 connections held · rss per connection/);
    expect(stdout).not.toContain("n/a");
    // The verdict ends the output, as the README says.
    expect(stdout.trim().split("\n").at(-1)).toMatch(/^PASS · /);
  });

  it("exits 99 when a threshold fails", async () => {
    const { code, stdout, stderr } = await runCli(
      [
        "run",
        "cross-pod-load",
        "--connections",
        "9",
        "--rate",
        "5",
        "--duration",
        "1s",
        "--threshold",
        "crosspod_fanout_latency:p(99)<0.001",
        ...relaxedGenerator,
      ],
      { PATH: fakeK6.path },
    );
    expect(code, `${stdout}\n${stderr}`).toBe(99);
    expect(stdout).toMatch(/✗\s+crosspod_fanout_latency\s+p\(99\)<0\.001/);
    expect(stdout).toMatch(/^FAIL · 1\/5 thresholds failed/m);
  });

  it.skipIf(!procAvailable)("tears the cluster down on Ctrl-C and leaves no process behind", async () => {
    const cli = runNode([
      "dist/cli.js",
      "run",
      "cross-pod-load",
      "--connections",
      "6",
      "--rate",
      "2",
      "--duration",
      "60s",
    ]);
    try {
      await waitForOutput(cli, / trigger · /, 30_000, "stderr");
      const children = descendantPids(cli.child.pid as number);
      expect(children.length).toBeGreaterThanOrEqual(4);
      cli.child.kill("SIGINT");
      expect((await cli.exited).code).toBe(130);
      expect(cli.stdout()).toContain("run interrupted during the trigger phase");
      expect(children.filter(isAlive)).toEqual([]);
    } finally {
      cli.child.kill("SIGKILL");
    }
  });
});

// Message wording per flag is covered in run-options.test.ts; these check the process's exit code and stderr.
describe.concurrent("crosspod run with bad input", () => {
  it("exits 2 naming the flag for a bad flag value", async () => {
    const { code, stderr } = await runCli(["run", "cross-pod-load", "--connections", "many"]);
    expect(stderr).toContain('crosspod: --connections: expected a whole number of connections (got "many")');
    expect(code).toBe(2);
  });

  it("exits 2 naming the file and the field of a bad profile file", async () => {
    const file = join(workDir, "bad-profile.yaml");
    writeFileSync(file, "connections: lots\n");
    const { code, stderr } = await runCli(["run", "cross-pod-load", "--profile-file", file]);
    expect(stderr).toMatch(new RegExp(`--profile-file ${file}: .*connections: expected a number`));
    expect(code).toBe(2);
  });

  it("exits 2 naming a target that cannot be reached", async () => {
    const { code, stderr } = await runCli(["run", "cross-pod-load", "--targets", "http://127.0.0.1:1"]);
    expect(stderr).toMatch(/target http:\/\/127\.0\.0\.1:1: cannot connect .*ECONNREFUSED/);
    expect(code).toBe(2);
  });
});
