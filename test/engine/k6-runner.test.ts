// The k6 runner's plumbing, with a stand-in k6 executable (k6 itself is not installed here): which bundle it
// picks per `k6 version`, the script variables and k6 settings it passes, how it reads the report back,
// and its errors. Runs with a real k6 are in k6-real-run.test.ts.
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { resolveProfile } from "../../lib/core/profiles.js";
import { buildReport, PodRecorder } from "../../lib/core/run-recorder.js";
import { K6RunError, type K6RunOptions, runK6 } from "../../lib/engine/k6-runner.js";
import { renderJsonReport } from "../../lib/report/json-report.js";

// Answers `version` with FAKE_K6_VERSION; for `run`, records its arguments and environment, copies
// FAKE_K6_REPORT to the CROSSPOD_OUT it was given, and exits with FAKE_K6_EXIT.
const fakeK6 = `#!/usr/bin/env node
const fs = require("node:fs");
const args = process.argv.slice(2);
if (args[0] === "version") {
  console.log(\`k6 \${process.env.FAKE_K6_VERSION} (commit/fake, go1.24.0, linux/amd64)\`);
  process.exit(0);
}
const scriptEnv = {};
for (let i = 1; i < args.length - 1; i++) {
  if (args[i] === "-e") {
    const [name, ...value] = args[++i].split("=");
    scriptEnv[name] = value.join("=");
  }
}
const k6Env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith("K6_")));
fs.writeFileSync(process.env.FAKE_K6_RECORD, JSON.stringify({ args, scriptEnv, k6Env }));
if (process.env.FAKE_K6_REPORT) fs.copyFileSync(process.env.FAKE_K6_REPORT, scriptEnv.CROSSPOD_OUT);
console.log("fake k6: ran " + args[args.length - 1]);
process.exit(Number(process.env.FAKE_K6_EXIT || 0));
`;

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

describe("runK6 with a stand-in k6", () => {
  let workDir: string;
  let k6Binary: string;
  let distDir: string;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), "crosspod-k6-runner-"));
    k6Binary = join(workDir, "k6");
    await writeFile(k6Binary, fakeK6);
    await chmod(k6Binary, 0o755);
    distDir = join(workDir, "dist");
    for (const dir of ["", "k6-1.x", "k6-1.5"]) {
      await mkdir(join(distDir, "scenarios", dir), { recursive: true });
      await writeFile(join(distDir, "scenarios", dir, "cross-pod-load.js"), "// bundle\n");
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
    process.env.FAKE_K6_RECORD = join(workDir, "record.json");
    process.env.FAKE_K6_REPORT = report ? join(workDir, "report.json") : "";
  }

  async function recorded(): Promise<Recorded> {
    return JSON.parse(await readFile(join(workDir, "record.json"), "utf8")) as Recorded;
  }

  it("runs the default bundle on k6 v2 and returns the report handleSummary wrote", async () => {
    fake("v2.3.0");
    const result = await runK6(options());
    expect(result.bundle).toBe(join(distDir, "scenarios", "cross-pod-load.js"));
    expect(result.version.text).toBe("v2.3.0");
    expect(result.exitCode).toBe(0);
    expect(result.report.run.id).toBe("run-fake");
    expect((await recorded()).args.at(-1)).toBe(result.bundle);
  });

  it("picks the compat bundle for the k6 release it finds", async () => {
    fake("v1.5.1");
    expect((await runK6(options())).bundle).toBe(join(distDir, "scenarios", "k6-1.5", "cross-pod-load.js"));
    fake("v1.7.0");
    expect((await runK6(options())).bundle).toBe(join(distDir, "scenarios", "k6-1.x", "cross-pod-load.js"));
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
      CROSSPOD_CONNECTIONS_PER_VU: "50",
    });
    expect(JSON.parse(scriptEnv.CROSSPOD_THRESHOLDS ?? "")).toEqual(profile.thresholds);
    expect(k6Env.K6_NO_USAGE_REPORT).toBe("true");
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
