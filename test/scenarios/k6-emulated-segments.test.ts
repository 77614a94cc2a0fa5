// The cross-pod-load bundle split over three emulated k6 instances with execution segments 0:1/3, 1/3:2/3
// and 2/3:1 (sequence 0,1/3,2/3,1), as k6-operator runs a TestRun with parallelism 3, against one local
// cluster and one Redis: each instance runs its share the way k6 splits it (k6-emulated-segment.ts), runs
// setup, teardown and handleSummary itself, and stores its partial report in Redis; `crosspod report merge
// --redis` then gives the counts a single emulated run of the same workload gives, and one instance whose
// clients lose frames (behind lossy proxies) fails the one verdict though the other two pass alone.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCluster, startLocalCluster } from "../../lib/cluster/local-cluster.js";
import { parseReport } from "../../lib/core/report-json.js";
import type { Report } from "../../lib/core/report-model.js";
import { k6BundleTargets } from "../../lib/engine/k6-bundle-targets.js";
import { readStoredReports } from "../../lib/engine/segment-coordinator.js";
import { buildK6Target } from "../../scripts/k6-bundles.js";
import { type LossyPodProxy, startLossyPodProxy } from "../cli/support/lossy-pod-proxy.js";
import { skipWithoutRedis } from "../fixtures/redis.js";
import { emulateK6Run } from "./k6-emulated-run.js";

const run = promisify(execFile);
const cli = join(import.meta.dirname, "../../dist/cli.js");
const sequence = "0,1/3,2/3,1";
const segments = ["0:1/3", "1/3:2/3", "2/3:1"];
const connections = 12;
const triggers = 20;

let workDir: string;
let bundleFile: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "crosspod-k6-segments-"));
  const defaultTarget = k6BundleTargets.find((target) => target.dir === "v2");
  if (!defaultTarget) throw new Error("no default k6 bundle target");
  const built = await buildK6Target(defaultTarget, workDir);
  expect(built.errors).toEqual([]);
  bundleFile = join(workDir, "k6", "v2", "cross-pod-load.js");
}, 60_000);

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** Delivery and trigger counts, the figures a split run must add up to exactly. */
function counts(report: Report) {
  const { delivery, triggers: sent, connections: opened } = report.overall;
  return {
    opened: opened.opened,
    accepted: sent.accepted,
    failed: sent.failed,
    expected: delivery.expected,
    received: delivery.received,
    lost: delivery.lost,
    duplicates: delivery.duplicates,
    outOfOrder: delivery.outOfOrder,
  };
}

function context(report: Report): string {
  return `events ${JSON.stringify(report.events)}; validity ${JSON.stringify(report.validity)}`;
}

describe.skipIf(skipWithoutRedis)(
  "cross-pod-load over three emulated k6 instances with execution segments",
  () => {
    let cluster: LocalCluster | undefined;
    let env: Record<string, string>;
    let single: Report;
    let parts: Report[];
    const splitRunId = `k6-split-${Date.now().toString(36)}`;

    beforeAll(async () => {
      cluster = await startLocalCluster({ replicas: 3 });
      env = {
        TARGETS: cluster.pods.map((pod) => pod.httpUrl).join(","),
        REDIS_URL: cluster.redisUrl,
        CROSSPOD_HTML: "",
        CROSSPOD_CONNECTIONS: String(connections),
        CROSSPOD_CONNECTIONS_PER_VU: "2",
        CROSSPOD_RATE: "10",
        CROSSPOD_DURATION: String(triggers / 10),
        CROSSPOD_RAMP: "0.5",
        CROSSPOD_DRAIN: "1",
        // Delivery invariants only: the emulated instances share a thread (and a busy machine) with their sockets.
        CROSSPOD_THRESHOLDS: JSON.stringify({ crosspod_fanout_latency: [] }),
      };
      const singleOut = join(workDir, "single.json");
      const whole = await emulateK6Run(bundleFile, { ...env, CROSSPOD_OUT: singleOut });
      single = parseReport(whole.files[singleOut] ?? "", singleOut);
      const results = await Promise.all(
        segments.map((segment, index) => {
          const out = join(workDir, `part-${index + 1}.json`);
          return emulateK6Run(
            bundleFile,
            { ...env, CROSSPOD_RUN_ID: splitRunId, CROSSPOD_OUT: out },
            { segment, sequence },
          ).then((result) => parseReport(result.files[out] ?? "", out));
        }),
      );
      parts = results;
    }, 180_000);

    let proxies: LossyPodProxy[] = [];

    afterAll(async () => {
      await Promise.all(proxies.map((proxy) => proxy.close()));
      await cluster?.close();
    });

    it("gives each instance k6's striped share: 2 of the 6 subscriber VUs, its own triggers, its segment", () => {
      expect(parts.map((part) => part.run.segments)).toEqual(segments.map((segment) => [segment]));
      expect(parts.map((part) => part.overall.connections.opened)).toEqual([4, 4, 4]);
      // 20 ticks striped in thirds of the re-split by maxVUs (20): 7, 7 and 6.
      expect(parts.map((part) => part.overall.triggers.accepted)).toEqual([7, 7, 6]);
      for (const part of parts) {
        // Each instance's clients are judged on every trigger of the run, not only its own.
        expect(part.overall.delivery, context(part)).toMatchObject({ expected: 4 * triggers, lost: 0 });
        expect(part.validity, context(part)).toEqual({ valid: true, reasons: [] });
      }
    });

    it("stores every partial report in Redis, and report merge --redis gives the single run's counts and one verdict", async () => {
      const stored = await readStoredReports((cluster as LocalCluster).redisUrl, splitRunId);
      expect(Object.keys(stored).sort()).toEqual([...segments].sort());
      const out = join(workDir, "merged.json");
      const merge = await run(
        process.execPath,
        [
          cli,
          "report",
          "merge",
          "--redis",
          (cluster as LocalCluster).redisUrl,
          "--run-id",
          splitRunId,
          "--out",
          out,
        ],
        { encoding: "utf8" },
      );
      expect(merge.stdout).toContain(`merged 3 reports of run ${splitRunId}`);
      const merged = parseReport(await readFile(out, "utf8"), out);
      expect(counts(merged), context(merged)).toEqual(counts(single));
      expect(counts(merged)).toEqual({
        opened: connections,
        accepted: triggers,
        failed: 0,
        expected: connections * triggers,
        received: connections * triggers,
        lost: 0,
        duplicates: 0,
        outOfOrder: 0,
      });
      expect(merged.validity).toEqual({ valid: true, reasons: [] });
      expect(merged.timeSeries.reduce((sum, point) => sum + point.triggers, 0)).toBe(triggers);
      expect(Object.keys(merged.pods).sort()).toEqual(["pod-a", "pod-b", "pod-c"]);
    });

    it("fails the one verdict when one instance's clients lose frames, though the other two pass alone", async () => {
      proxies = await Promise.all(
        (cluster as LocalCluster).pods.map((pod) => startLossyPodProxy(pod.httpUrl, 4)),
      );
      const runId = `${splitRunId}-lossy`;
      const lossy = await Promise.all(
        segments.map((segment, index) => {
          const out = join(workDir, `lossy-${index + 1}.json`);
          const targets: Record<string, string> =
            index === 2 ? { TARGETS: proxies.map((proxy) => proxy.url).join(",") } : {};
          return emulateK6Run(
            bundleFile,
            { ...env, ...targets, CROSSPOD_RUN_ID: runId, CROSSPOD_OUT: out },
            { segment, sequence },
          ).then((result) => parseReport(result.files[out] ?? "", out));
        }),
      );
      const lost = lossy.map((part) => part.overall.delivery.lost);
      expect(lost.slice(0, 2)).toEqual([0, 0]);
      expect(lost[2]).toBeGreaterThan(0);
      expect(lossy.map((part) => part.thresholds.every((threshold) => threshold.ok))).toEqual([
        true,
        true,
        false,
      ]);
      const out = join(workDir, "merged-lossy.json");
      const merge = await run(
        process.execPath,
        [
          cli,
          "report",
          "merge",
          "--redis",
          (cluster as LocalCluster).redisUrl,
          "--run-id",
          runId,
          "--out",
          out,
        ],
        { encoding: "utf8" },
      ).then(
        () => ({ code: 0 }),
        (error: { code: number }) => ({ code: error.code }),
      );
      expect(merge.code).toBe(99);
      const merged = parseReport(await readFile(out, "utf8"), out);
      expect(merged.overall.delivery.lost).toBe(lost[2]);
      expect(merged.overall.delivery.expected).toBe(connections * triggers);
      expect(merged.thresholds.find((threshold) => threshold.metric === "crosspod_lost")?.ok).toBe(false);
    });

    it("refuses to run a segment of a run id again: the run's barriers and logs would count it twice", async () => {
      await expect(
        emulateK6Run(bundleFile, { ...env, CROSSPOD_RUN_ID: splitRunId }, { segment: "0:1/3", sequence }),
      ).rejects.toThrow(`run id ${splitRunId} already ran segment 0:1/3`);
    });

    it("refuses to run a segment without a sequence, naming the flag", async () => {
      await expect(
        emulateK6Run(
          bundleFile,
          { ...env, CROSSPOD_RUN_ID: `${splitRunId}-nosequence` },
          { segment: "1/3:2/3" },
        ),
      ).rejects.toThrow(/without --execution-segment-sequence/);
    });
  },
);
