// `crosspod k6 <profile> [-- k6 flags]` as a user runs it, with a stand-in k6 on K6_BIN (k6 itself is not
// installed here): it reads `k6 version`, picks the bundle of that k6 line, prints the exact `k6 run` line
// it executes (which, pasted into a shell, runs k6 with the same arguments), passes the user's k6 flags,
// prints crosspod's summary once and writes reports only into --out.
import { execFile } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { renderJsonReport } from "../../lib/core/report-json.js";
import { recordingFakeK6Script } from "../fixtures/fake-k6.js";
import { repoRoot, runCli } from "../fixtures/node-process.js";
import { sampleReport } from "../report/sample-report.js";

const execFileAsync = promisify(execFile);
const workDir = mkdtempSync(join(tmpdir(), "crosspod-k6-command-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const k6Binary = join(workDir, "k6");
writeFileSync(k6Binary, recordingFakeK6Script);
chmodSync(k6Binary, 0o755);
const reportFile = join(workDir, "k6-report.json");
writeFileSync(reportFile, renderJsonReport(sampleReport()));
const record = join(workDir, "record.txt");

function fakeEnv(version: string): Record<string, string> {
  return {
    K6_BIN: k6Binary,
    FAKE_K6_VERSION: version,
    FAKE_K6_RECORD: record,
    FAKE_K6_REPORT: reportFile,
    REDIS_URL: "redis://127.0.0.1:6390",
  };
}

const recordedArgs = () => readFileSync(record, "utf8").split("\n").slice(0, -1);

describe("crosspod k6", () => {
  it("runs the v1 bundle on k6 1.x with the user's k6 flags, and prints the k6 line it runs", async () => {
    const out = join(workDir, "reports");
    const { code, stdout, stderr } = await runCli(
      [
        "k6",
        "cross-pod-load",
        "--targets",
        "http://127.0.0.1:8081,http://127.0.0.1:8082",
        "--connections",
        "30",
        "--out",
        out,
        "--",
        "--quiet",
        "--tag",
        "team=a b",
      ],
      fakeEnv("v1.8.1"),
    );
    expect([0, 99], stderr).toContain(code);
    const args = recordedArgs();
    expect(args.at(-1)).toBe(join(repoRoot, "dist", "k6", "v1", "cross-pod-load.js"));
    expect(args).toEqual(expect.arrayContaining(["--quiet", "team=a b", "CROSSPOD_CONNECTIONS=30"]));
    expect(args).toContain("CROSSPOD_CONSOLE_SUMMARY=off");
    // The printed line is the command: run through a shell, k6 sees exactly the same arguments.
    const line = /crosspod: running (.+)$/m.exec(stderr)?.[1] ?? "";
    await execFileAsync("sh", ["-c", line], { env: { ...process.env, ...fakeEnv("v1.8.1") } });
    expect(recordedArgs()).toEqual(args);
    // crosspod's summary once, on stdout; the reports in --out only.
    expect(stdout.match(/^(PASS|FAIL) · /gm)).toHaveLength(1);
    expect(readdirSync(out).sort()).toEqual(["cross-pod-load-report.html", "cross-pod-load-report.json"]);
  });

  it("runs the v2 bundle on k6 2.x", async () => {
    const { stderr } = await runCli(
      ["k6", "soak", "--targets", "http://127.0.0.1:8081", "--duration", "5s"],
      fakeEnv("v2.1.0"),
    );
    expect(recordedArgs().at(-1)).toBe(join(repoRoot, "dist", "k6", "v2", "soak.js"));
    expect(stderr).toContain(`k6 v2.1.0 ran ${join(repoRoot, "dist", "k6", "v2", "soak.js")}`);
    expect(existsSync(join(repoRoot, "soak-report.json"))).toBe(false);
  });

  it("exits 2 saying how to get k6 when there is none", async () => {
    const { code, stderr } = await runCli(["k6", "cross-pod-load"], { K6_BIN: join(workDir, "missing") });
    expect(stderr).toMatch(/k6 was not found .*README/);
    expect(code).toBe(2);
  });
});
