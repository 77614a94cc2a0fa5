// The soak verdict catches a leak: the same short soak (short warm-up and windows, a high trigger rate) passes
// against the reference backend and fails by its RSS slope against pods given the test-only leak. Both run at
// once, each with its own local cluster, to keep the file under a minute.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Report, reportSchema } from "../../lib/core/report-model.js";
import { runCli } from "../fixtures/node-process.js";
import { skipWithoutRedis } from "../fixtures/redis.js";

const workDir = mkdtempSync(join(tmpdir(), "crosspod-soak-drift-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/**
 * 30 triggers/s for 30 s, judged after a 12 s warm-up. The reference pods' RSS settles within ~20 s of
 * such load (seen: +17 MiB in the first 20 s, flat after), which a short steady phase reads as up to
 * ~2,000 MiB/h (more when the machine is busy); the leak retains 256 KiB per threat per pod, 7.5 MiB/s =
 * ~27,000 MiB/h. The bound sits between them; a real soak's warm-up of minutes makes 5 MiB/h meaningful.
 */
function shortSoak(out: string): string[] {
  return [
    "run",
    "soak",
    "--replicas",
    "2",
    "--connections",
    "20",
    "--rate",
    "30",
    "--duration",
    "30s",
    "--ramp",
    "1s",
    "--drain",
    "3s",
    "--drift-warmup",
    "12s",
    "--drift-window",
    "3s",
    "--drift-interval",
    "1s",
    "--threshold",
    "crosspod_pod_rss_slope:value<10000",
    // Three-second windows on a shared machine: the p99 ratio is noise here, judged in real soaks.
    "--threshold",
    "crosspod_fanout_p99_drift:value<1000",
    "--threshold",
    "crosspod_fanout_latency:p(99)<10000",
    "--max-generator-lag",
    "1000",
    "--max-generator-cpu",
    "400",
    "--out",
    out,
  ];
}

function rssThreshold(report: Report) {
  return report.thresholds.find((threshold) => threshold.metric === "crosspod_pod_rss_slope");
}

describe.skipIf(skipWithoutRedis)("the soak's drift verdict", () => {
  it("passes the reference backend and fails pods that leak, by their RSS slope", async () => {
    const referenceOut = join(workDir, "reference.json");
    const leakingOut = join(workDir, "leaking.json");
    const [reference, leaking] = await Promise.all([
      runCli(shortSoak(referenceOut), {}, 90_000),
      runCli(shortSoak(leakingOut), { TEST_ONLY_LEAK_BYTES_PER_THREAT: String(256 * 1024) }, 90_000),
    ]);

    expect(reference.code, `${reference.stdout}\n${reference.stderr}`).toBe(0);
    const passed = reportSchema.parse(JSON.parse(readFileSync(referenceOut, "utf8")));
    expect(rssThreshold(passed), JSON.stringify(passed.drift?.pods)).toMatchObject({ ok: true });
    expect(Object.keys(passed.drift?.pods ?? {}).sort()).toEqual(["pod-a", "pod-b"]);
    expect(passed.drift?.redis?.streamLengthPerHour).toBeGreaterThan(0);
    expect(passed.drift?.fanoutWindows.length).toBeGreaterThanOrEqual(5);
    expect(reference.stdout).toMatch(/^Drift · per hour over the steady phase/m);

    expect(leaking.code, `${leaking.stdout}\n${leaking.stderr}`).toBe(99);
    const failed = reportSchema.parse(JSON.parse(readFileSync(leakingOut, "utf8")));
    expect(rssThreshold(failed), JSON.stringify(failed.drift?.pods)).toMatchObject({ ok: false });
    // Only the slope fails: the leaking pods still deliver everything.
    expect(failed.thresholds.filter((threshold) => !threshold.ok).map((t) => t.metric)).toEqual([
      "crosspod_pod_rss_slope",
    ]);
    expect(failed.validity.valid).toBe(true);
  }, 120_000);
});
