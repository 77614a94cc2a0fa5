// Three real k6 processes split one cross-pod-load with execution segments, as k6-operator runs a TestRun
// with parallelism 3 (--execution-segment 0:1/3, 1/3:2/3, 2/3:1 and --execution-segment-sequence
// 0,1/3,2/3,1, one run id), against one local cluster: each stores its partial report in Redis, and their
// merge counts what one k6 run of the same workload counts. Runs only when K6_BIN names a k6 with xk6-redis;
// without it the test skips with a message (no k6 binary runs on the machine this was written on).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../lib/cluster/free-port.js";
import { type LocalCluster, startLocalCluster } from "../../lib/cluster/local-cluster.js";
import { resolveProfile } from "../../lib/core/profiles.js";
import { parseReport } from "../../lib/core/report-json.js";
import { mergeReports } from "../../lib/core/report-merge.js";
import type { Report } from "../../lib/core/report-model.js";
import { findK6, runK6 } from "../../lib/engine/k6-runner.js";
import { readStoredReports } from "../../lib/engine/segment-coordinator.js";
import { skipWithoutRedis } from "../fixtures/redis.js";

const k6Binary = process.env.K6_BIN ? findK6() : undefined;
if (k6Binary === undefined) {
  console.warn(
    "SKIPPING the real-k6 execution-segment test: K6_BIN is not set to a k6 binary with xk6-redis (see the README's k6 section, then K6_BIN=$(command -v k6))",
  );
}
const skip = k6Binary === undefined || skipWithoutRedis;

const sequence = "0,1/3,2/3,1";
const segments = ["0:1/3", "1/3:2/3", "2/3:1"];
/** Delivery invariants only: latency thresholds on a shared machine would judge the machine. */
const profile = resolveProfile("cross-pod-load", {
  connections: 30,
  connectionsPerVu: 5,
  rampSeconds: 1,
  triggerRate: 10,
  durationSeconds: 4,
  drainSeconds: 2,
  thresholds: { crosspod_fanout_latency: [] },
});

function counts(report: Report) {
  const { delivery, triggers, connections } = report.overall;
  return {
    opened: connections.opened,
    accepted: triggers.accepted,
    failed: triggers.failed,
    expected: delivery.expected,
    received: delivery.received,
    lost: delivery.lost,
    duplicates: delivery.duplicates,
    outOfOrder: delivery.outOfOrder,
  };
}

describe.skipIf(skip)("three real k6 processes with execution segments against one cluster", () => {
  let cluster: LocalCluster | undefined;

  beforeAll(async () => {
    cluster = await startLocalCluster({ replicas: 3 });
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it("merge into one report with the counts of a single k6 run: frames == connections × triggers, 0 lost", async () => {
    if (!cluster) throw new Error("the cluster did not start");
    const targets = cluster.pods.map((pod) => pod.httpUrl);
    const common = { profile, targets, redisUrl: cluster.redisUrl, onOutput: () => {} };
    const single = (await runK6({ ...common, runId: `k6-seg-single-${Date.now()}` })).report;

    const runId = `k6-seg-split-${Date.now()}`;
    // Each k6 serves its REST API on a port of its own, as each k6-operator runner does in its pod.
    const addresses = await Promise.all(segments.map(() => freePort()));
    const runs = await Promise.all(
      segments.map((segment, index) =>
        runK6({
          ...common,
          runId,
          extraArgs: [
            "--execution-segment",
            segment,
            "--execution-segment-sequence",
            sequence,
            "--address",
            `127.0.0.1:${addresses[index]}`,
          ],
        }),
      ),
    );
    const parts = runs.map((result) => result.report);
    expect(parts.map((part) => part.run.segments)).toEqual(segments.map((segment) => [segment]));
    expect(parts.map((part) => part.overall.connections.opened)).toEqual([10, 10, 10]);

    const stored = await readStoredReports(cluster.redisUrl, runId);
    expect(Object.keys(stored).sort()).toEqual([...segments].sort());
    const merged = mergeReports(
      segments.map((segment) => parseReport(stored[segment] ?? "", `segment ${segment}`)),
    );
    const triggers = profile.triggerRate * profile.durationSeconds;
    expect(counts(merged)).toEqual(counts(single));
    expect(counts(merged)).toMatchObject({
      opened: profile.connections,
      accepted: triggers,
      expected: profile.connections * triggers,
      received: profile.connections * triggers,
      lost: 0,
      duplicates: 0,
      outOfOrder: 0,
    });
    expect(merged.validity).toEqual({ valid: true, reasons: [] });
    expect(merged.thresholds.filter((threshold) => !threshold.ok)).toEqual([]);
  }, 240_000);
});
