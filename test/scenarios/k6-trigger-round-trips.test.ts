// The k6 publisher's hot path against a real redis-server: each trigger leaves its outcome, its published-log
// entry and the settled count in Redis in one round trip (before: four, which made a 20/s profile drop
// iterations under real k6). Counted with MONITOR, by the commands clients send (not those a script runs).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCluster, startLocalCluster } from "../../lib/cluster/local-cluster.js";
import { parseReport } from "../../lib/core/report-json.js";
import { k6BundleTargets } from "../../lib/engine/k6-bundle-targets.js";
import { buildK6Target } from "../../scripts/k6-bundles.js";
import { skipWithoutRedis } from "../fixtures/redis.js";
import { emulateK6Run } from "./k6-emulated-run.js";

/** Keys a publisher iteration writes: trigger outcomes, the published log, failure causes, settled count. */
const triggerKeys = /:k6:[^:]+:(triggers|published|failures|settled)$/;

describe.skipIf(skipWithoutRedis)("the k6 publisher's Redis round trips", () => {
  let workDir: string;
  let cluster: LocalCluster | undefined;
  let monitor: Redis | undefined;
  const clientCommands: string[][] = [];

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), "crosspod-k6-round-trips-"));
    const target = k6BundleTargets.find((candidate) => candidate.dir === "v2");
    if (!target) throw new Error("no v2 k6 bundle target");
    [, cluster] = await Promise.all([buildK6Target(target, workDir), startLocalCluster({ replicas: 2 })]);
    monitor = await new Redis(cluster.redisUrl).monitor();
    monitor.on("monitor", (_time: string, args: string[], source: string) => {
      if (source !== "lua") clientCommands.push(args);
    });
  }, 60_000);

  afterAll(async () => {
    monitor?.disconnect(false);
    await cluster?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it("makes one round trip per trigger", async () => {
    if (!cluster) throw new Error("no cluster");
    const out = join(workDir, "report.json");
    const result = await emulateK6Run(join(workDir, "k6", "v2", "cross-pod-load.js"), {
      TARGETS: cluster.pods.map((pod) => pod.httpUrl).join(","),
      REDIS_URL: cluster.redisUrl,
      CROSSPOD_OUT: out,
      CROSSPOD_HTML: "",
      CROSSPOD_CONNECTIONS: "4",
      CROSSPOD_CONNECTIONS_PER_VU: "4",
      CROSSPOD_RATE: "10",
      CROSSPOD_DURATION: "1.5",
      CROSSPOD_RAMP: "0.2",
      CROSSPOD_DRAIN: "1",
      CROSSPOD_THRESHOLDS: JSON.stringify({ crosspod_fanout_latency: [] }),
    });
    const report = parseReport(result.files[out] ?? "", out);
    const { sent } = report.overall.triggers;
    expect(sent).toBe(15);
    // Every client command that writes a trigger key, with the key it names (EVAL names its keys after numkeys).
    const writes = clientCommands.filter(([command, ...args]) => {
      const name = command?.toUpperCase();
      if (name === "EVAL" || name === "EVALSHA")
        return args.slice(2, 2 + Number(args[1])).some((key) => triggerKeys.test(key));
      return (
        name !== "GET" &&
        name !== "LRANGE" &&
        name !== "HGETALL" &&
        name !== "EXPIRE" &&
        triggerKeys.test(args[0] ?? "")
      );
    });
    expect(writes.length).toBe(sent);
  }, 60_000);
});
