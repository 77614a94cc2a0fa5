// The k6 runner's plumbing, with a stand-in k6 executable (k6 itself is not installed here): which bundle it
// picks per `k6 version`, the script variables and k6 settings it passes, how it reads the report back,
// and its errors. Runs with a real k6 are in k6-real-run.test.ts.
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { resolveProfile } from "../../lib/core/profiles.js";
import { renderJsonReport } from "../../lib/core/report-json.js";
import { buildReport, PodRecorder } from "../../lib/core/run-recorder.js";
import { K6RunError, type K6RunOptions, runK6 } from "../../lib/engine/k6-runner.js";
import { recordingFakeK6Script } from "../fixtures/fake-k6.js";

interface Recorded {
  args: string[];
  scriptEnv: Record<string, string>;
  k6Env: Record<string, string>;
}

function sampleReportJson(): string {
  const pod = new PodRecorder();
  pod.connections.opened = 3;
  pod.delivery = { ...pod.delivery, expected: 6, received: 6 };
  pod.fanout.recordMs(2);
  return renderJsonReport(
    buildReport({
      run: {
        id: "run-fake",
        profile: "cross-pod-load",
        engine: "k6",
        startedAt: new Date(0).toISOString(),
        endedAt: new Date(1000).toISOString(),
        durationSeconds: 1,
        targets: [{ pod: "pod-a", url: "http://127.0.0.1:1" }],
        delivery: "recover",
        accounting: "seq",
        settings: {},
      },
      pods: { "pod-a": pod },
      timeSeries: [],
      events: [],
      thresholds: { crosspod_lost: ["count==0"] },
    }),
  );
}

const execFileAsync = promisify(execFile);

describe("runK6 with a stand-in k6", () => {
  let workDir: string;
  let k6Binary: string;
  let distDir: string;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), "crosspod-k6-runner-"));
    k6Binary = join(workDir, "k6");
    await writeFile(k6Binary, recordingFakeK6Script);
    await chmod(k6Binary, 0o755);
    distDir = join(workDir, "dist");
    for (const dir of ["v2", "v1", "v1.0-1.5"]) {
      await mkdir(join(distDir, "k6", dir), { recursive: true });
      await writeFile(join(distDir, "k6", dir, "cross-pod-load.js"), "// bundle\n");
    }
    await writeFile(join(workDir, "report.json"), sampleReportJson());
  });

  afterEach(() => {
    process.env = { ...savedEnv };
  });

  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  const profile = resolveProfile("cross-pod-load", { connections: 30, triggerRate: 5, durationSeconds: 4 });
  const options = (extra: Partial<K6RunOptions> = {}): K6RunOptions => ({
    runId: "run-fake",
    profile,
    targets: ["http://127.0.0.1:8081", "http://127.0.0.1:8082"],
    redisUrl: "redis://127.0.0.1:6390",
    k6Binary,
    distDir,
    onOutput: () => {},
    ...extra,
  });

  function fake(version: string, exitCode = 0, report = true): void {
    process.env.FAKE_K6_VERSION = version;
    process.env.FAKE_K6_EXIT = String(exitCode);
    process.env.FAKE_K6_RECORD = join(workDir, "record.txt");
    process.env.FAKE_K6_REPORT = report ? join(workDir, "report.json") : "";
  }

  async function recorded(): Promise<Recorded> {
    const record = join(workDir, "record.txt");
    const args = (await readFile(record, "utf8")).split("\n").slice(0, -1);
    const scriptEnv: Record<string, string> = {};
    args.forEach((arg, index) => {
      if (args[index - 1] !== "-e") return;
      const separator = arg.indexOf("=");
      scriptEnv[arg.slice(0, separator)] = arg.slice(separator + 1);
    });
    const k6Env = Object.fromEntries(
      (await readFile(`${record}.env`, "utf8"))
        .split("\n")
        .filter(Boolean)
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    return { args, scriptEnv, k6Env };
  }

  it("runs the default bundle on k6 v2 and returns the report handleSummary wrote", async () => {
    fake("v2.3.0");
    const result = await runK6(options());
    expect(result.bundle).toBe(join(distDir, "k6", "v2", "cross-pod-load.js"));
    expect(result.version.text).toBe("v2.3.0");
    expect(result.exitCode).toBe(0);
    expect(result.report.run.id).toBe("run-fake");
    expect((await recorded()).args.at(-1)).toBe(result.bundle);
  });

  it("picks the compat bundle for the k6 release it finds", async () => {
    fake("v1.5.1");
    expect((await runK6(options())).bundle).toBe(join(distDir, "k6", "v1.0-1.5", "cross-pod-load.js"));
    fake("v1.7.0");
    expect((await runK6(options())).bundle).toBe(join(distDir, "k6", "v1", "cross-pod-load.js"));
  });

  it("passes targets, Redis, run id and every profile knob as script variables", async () => {
    fake("v2.3.0");
    await runK6(options({ htmlPath: "/tmp/r.html", authToken: "secret" }));
    const { scriptEnv, k6Env } = await recorded();
    expect(scriptEnv).toMatchObject({
      TARGETS: "http://127.0.0.1:8081,http://127.0.0.1:8082",
      REDIS_URL: "redis://127.0.0.1:6390",
      CROSSPOD_RUN_ID: "run-fake",
      CROSSPOD_HTML: "/tmp/r.html",
      CROSSPOD_AUTH_TOKEN: "secret",
      CROSSPOD_CONNECTIONS: "30",
      CROSSPOD_RATE: "5",
      CROSSPOD_DURATION: "4",
      CROSSPOD_RAMP: "3",
      CROSSPOD_DRAIN: "5",
      CROSSPOD_TRIGGER_POD: "round-robin",
      CROSSPOD_CONNECTIONS_PER_VU: "200",
    });
    expect(JSON.parse(scriptEnv.CROSSPOD_THRESHOLDS ?? "")).toEqual(profile.thresholds);
    expect(k6Env.K6_NO_USAGE_REPORT).toBe("true");
  });

  it("puts the user's k6 flags before the script variables and the script", async () => {
    fake("v2.3.0");
    await runK6(options({ extraArgs: ["--quiet", "--tag", "team=a b"] }));
    const { args } = await recorded();
    const firstVariable = args.indexOf("-e");
    expect(args.slice(firstVariable - 3, firstVariable)).toEqual(["--quiet", "--tag", "team=a b"]);
    expect(args.at(-1)).toMatch(/cross-pod-load\.js$/);
  });

  it("prints a command line that, pasted into a shell, runs k6 with exactly the same arguments", async () => {
    fake("v1.8.1");
    let line = "";
    const thresholds = { crosspod_fanout_latency: ["p(99)<250"], crosspod_lost: ["count==0"] };
    await runK6(
      options({
        onCommand: (text) => {
          line = text;
        },
        extraArgs: ["--tag", "it's=quoted"],
        profile: { ...profile, thresholds },
      }),
    );
    expect(line).toMatch(/^K6_NO_USAGE_REPORT=true \S+\/k6 run --tag run=run-fake /);
    expect(line).toContain(`-e 'CROSSPOD_THRESHOLDS=`);
    const direct = await recorded();
    await execFileAsync("sh", ["-c", line], { env: process.env });
    expect(await recorded()).toEqual(direct);
  });

  it("removes a built-in threshold the caller dropped, since CROSSPOD_THRESHOLDS merges per metric", async () => {
    fake("v2.3.0");
    const relaxed = resolveProfile("cross-pod-load", { thresholds: { crosspod_fanout_latency: [] } });
    await runK6(options({ profile: relaxed }));
    const thresholds = JSON.parse((await recorded()).scriptEnv.CROSSPOD_THRESHOLDS ?? "");
    expect(thresholds.crosspod_fanout_latency).toEqual([]);
    expect(thresholds.crosspod_lost).toEqual(["count==0"]);
  });

  it("adds Prometheus remote write with p50/p90/p99/max trend stats, or native histograms when asked", async () => {
    fake("v2.3.0");
    await runK6(options({ prometheusRemoteWrite: { url: "http://127.0.0.1:9090/api/v1/write" } }));
    let run = await recorded();
    expect(run.args.slice(0, 5)).toEqual([
      "run",
      "-o",
      "experimental-prometheus-rw",
      "--tag",
      "run=run-fake",
    ]);
    expect(run.k6Env).toMatchObject({
      K6_PROMETHEUS_RW_SERVER_URL: "http://127.0.0.1:9090/api/v1/write",
      K6_PROMETHEUS_RW_TREND_STATS: "p(50),p(90),p(99),max",
    });
    await runK6(
      options({
        prometheusRemoteWrite: { url: "http://127.0.0.1:9090/api/v1/write", nativeHistograms: true },
      }),
    );
    run = await recorded();
    expect(run.k6Env.K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM).toBe("true");
    expect(run.k6Env.K6_PROMETHEUS_RW_TREND_STATS).toBeUndefined();
  });

  it("returns k6's exit code 99 along with the report when a k6 threshold failed", async () => {
    fake("v2.3.0", 99);
    const result = await runK6(options());
    expect(result.exitCode).toBe(99);
    expect(result.report.schema).toBe("crosspod.report/v1");
  });

  it("fails with k6's last output when k6 wrote no report", async () => {
    fake("v2.3.0", 107, false);
    const error = await runK6(options()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(K6RunError);
    expect((error as K6RunError).code).toBe("CROSSPOD_K6_NO_REPORT");
    expect((error as Error).message).toMatch(/exited with code 107[\s\S]*fake k6: ran/);
  });

  it("says how to get k6 when none is found", async () => {
    process.env.K6_BIN = join(workDir, "missing-k6");
    const error = await runK6(options({ k6Binary: undefined })).catch((caught: unknown) => caught);
    expect((error as K6RunError).code).toBe("CROSSPOD_K6_NOT_FOUND");
    expect((error as Error).message).toMatch(/K6_BIN/);
  });

  it("asks for a build when the bundle is missing", async () => {
    fake("v2.3.0");
    const error = await runK6(options({ distDir: join(workDir, "nowhere") })).catch(
      (caught: unknown) => caught,
    );
    expect((error as K6RunError).code).toBe("CROSSPOD_K6_NOT_BUILT");
    expect((error as Error).message).toMatch(/npm run build/);
  });

  it("refuses a profile that has no k6 scenario", async () => {
    const custom = { ...profile, name: "my-profile" };
    await expect(runK6(options({ profile: custom }))).rejects.toThrow(/cross-pod-load, soak, spike/);
  });
});
