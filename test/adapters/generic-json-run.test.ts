// The generic-json adapter against a seed-style backend written here (no seq, its own field names, Redis
// Pub/Sub between in-process pods): `crosspod target check` shows what it read, and `crosspod run --target`
// measures fan-out and finds exactly the frames the backend withheld from one client.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { RedisServer } from "../../lib/cluster/redis-server.js";
import { reportSchema } from "../../lib/core/report-model.js";
import { runCli } from "../fixtures/node-process.js";
import { skipWithoutRedis, startRedis } from "../fixtures/redis.js";
import {
  type SeedStyleBackend,
  type SeedStylePod,
  startSeedStyleBackend,
} from "./support/seed-style-backend.js";

const workDir = mkdtempSync(join(tmpdir(), "crosspod-generic-json-"));

function writeTarget(name: string, pods: readonly SeedStylePod[], probePath = "data.description"): string {
  const path = join(workDir, name);
  writeFileSync(
    path,
    stringify({
      adapter: "generic-json",
      pods: pods.map((pod) => ({ name: pod.name, url: pod.httpUrl, ws: pod.wsUrl })),
      trigger: {
        path: "/api/threats/trigger",
        body: { severity: "low", description: "crosspod {{probe}}" },
        accept: [200],
        response: { publishedAt: { path: "threat.timestamp", unit: "iso" } },
      },
      frames: {
        hello: { path: "type", equals: "connected" },
        delivery: [{ path: "type", equals: "new_threat" }],
        ignore: [{ path: "type", equals: "heartbeat" }],
        id: "data.id",
        publishedAt: { path: "data.timestamp", unit: "iso" },
        probe: probePath,
        origin: "data.source_pod",
      },
    }),
  );
  return path;
}

describe.skipIf(skipWithoutRedis)("the generic-json adapter against a seed-style backend", () => {
  let redis: RedisServer;
  const backends: SeedStyleBackend[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });

  afterAll(async () => {
    await Promise.all(backends.map((backend) => backend.close()));
    await redis?.dispose();
    rmSync(workDir, { recursive: true, force: true });
  });

  it("target check prints the id, published time, origin and probe it read from every pod's frame", async () => {
    const backend = await startSeedStyleBackend({ redisUrl: redis.url, pods: 3 });
    backends.push(backend);
    const result = await runCli(["target", "check", writeTarget("check.yaml", backend.pods)]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/adapter generic-json, 3 pods, accounting publisher/);
    expect(result.stdout).toMatch(
      /trigger via soc-a: POST http:\/\/127\.0\.0\.1:\d+\/api\/threats\/trigger -> 200, accepted/,
    );
    for (const pod of ["soc-a", "soc-b", "soc-c"]) {
      expect(result.stdout).toMatch(
        new RegExp(`${pod} delivered: id [0-9a-f-]{36}, seq -, published 20\\d\\d-.*origin soc-a, probe n=1`),
      );
    }
    expect(result.stdout).toMatch(/ok: every pod delivered the probe/);
  });

  it("target check exits 1 and shows the frames it got when the probe is not where the file says", async () => {
    const backend = await startSeedStyleBackend({ redisUrl: redis.url, pods: 3 });
    backends.push(backend);
    const result = await runCli(
      ["target", "check", "--timeout", "2", writeTarget("wrong-probe.yaml", backend.pods, "data.summary")],
      {},
    );
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/soc-a: no frame with the probe arrived/);
    expect(result.stdout).toMatch(
      /soc-b: delivery without this check's probe \(probe not found\): \{"type":"new_threat"/,
    );
    expect(result.stdout).toMatch(/not ok: 3 of 3 pods delivered no frame carrying the probe/);
    // Where the probe really is, so the fix is one line.
    expect(result.stdout).toMatch(
      /^warning: frames\.probe: "data\.summary" found no probe, but soc-\w's frame has it at "data\.description"$/m,
    );
  });

  it("target check warns about paths that matched nothing and origins that name no pod", async () => {
    const backend = await startSeedStyleBackend({ redisUrl: redis.url, pods: 2 });
    backends.push(backend);
    const path = writeTarget("renamed.yaml", backend.pods);
    // The pods named differently from what the backend puts in source_pod, and an id path that is wrong.
    writeFileSync(
      path,
      readFileSync(path, "utf8")
        .replaceAll("name: soc-", "name: replica-")
        .replace("id: data.id", "id: data.uuid"),
    );
    const result = await runCli(["target", "check", path]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^warning: frames\.id: "data\.uuid" matched nothing in the 2 frames that carried the probe$/m,
    );
    expect(result.stdout).toMatch(
      /^warning: origin values "soc-a" match no pod name \(replica-a, replica-b\)/m,
    );
  });

  it("run measures fan-out across pods and counts exactly the frames withheld from one client as lost", async () => {
    const backend = await startSeedStyleBackend({
      redisUrl: redis.url,
      pods: 3,
      // The pod's first connection is the engine's discovery; the next is the run's first on soc-b.
      // n counts per publisher lane, so how many that withholds depends on how triggers spread over lanes.
      drop: { pod: "soc-b", connectionIndex: 1, withhold: (n) => n % 5 === 0 },
    });
    backends.push(backend);
    const out = join(workDir, "report.json");
    const result = await runCli([
      "run",
      "cross-pod-load",
      "--engine",
      "node",
      "--target",
      writeTarget("run.yaml", backend.pods),
      "--connections",
      "30",
      "--ramp",
      "1.5s",
      "--rate",
      "20",
      "--duration",
      "2s",
      "--drain",
      "2s",
      "--out",
      out,
    ]);
    // Losses fail the profile's crosspod_lost threshold.
    expect(result.code, result.stderr).toBe(99);
    const report = reportSchema.parse(JSON.parse(readFileSync(out, "utf8")));
    expect(report.run.accounting).toBe("publisher");
    expect(report.run.settings.adapter).toBe("generic-json");
    const dropped = backend.dropped.length;
    expect(dropped).toBeGreaterThan(0);
    const delivery = report.overall.delivery;
    const context = JSON.stringify({ delivery, pods: report.pods, events: report.events });
    expect(delivery, context).toMatchObject({
      expected: 30 * 40,
      received: 30 * 40 - dropped,
      lost: dropped,
      duplicates: 0,
      missedWhileDisconnected: 0,
      // Triggers in flight at once go out on different publisher lanes, so publishing them in either
      // order is no ordering violation.
      outOfOrder: 0,
    });
    const byN = (a: number, b: number) => a - b;
    expect(delivery.lostSamples.map((sample) => Number(sample.split(":").pop())).sort(byN)).toEqual(
      backend.dropped.sort(byN),
    );
    expect(report.pods["soc-b"]?.delivery.lost).toBe(dropped);
    expect(report.overall.fanout.count).toBe(30 * 40 - dropped);
    expect(report.overall.fanout.p50).toBeGreaterThan(0);
    // A frame is published after its probe was sent, so fan-out (publish -> receive) cannot exceed
    // end-to-end (send -> receive): the engine's clock and the backend's wall clock must agree.
    const { fanout, e2e } = report.overall;
    expect(fanout.p50, JSON.stringify({ fanout, e2e })).toBeLessThanOrEqual(e2e.p50);
    expect(fanout.p99, JSON.stringify({ fanout, e2e })).toBeLessThanOrEqual(e2e.p99);
    expect(report.matrix.map((cell) => `${cell.origin}->${cell.deliveredBy}`).sort()).toContain(
      "soc-c->soc-a",
    );
    expect(result.stdout).toMatch(/lost/);
  });

  it("refuses a bad target file with exit 2, naming the file and the field", async () => {
    const path = join(workDir, "bad.yaml");
    writeFileSync(
      path,
      stringify({ adapter: "generic-json", pods: [{ name: "a", url: "http://127.0.0.1:1" }] }),
    );
    const run = await runCli(["run", "cross-pod-load", "--target", path]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`crosspod: --target ${path}: pods\\[0\\]\\.ws: `));
    const check = await runCli(["target", "check", path]);
    expect(check.code).toBe(2);
    expect(check.stderr).toMatch(new RegExp(`crosspod: ${path}: pods\\[0\\]\\.ws: `));
    writeFileSync(path, "adapter: [unclosed");
    const yaml = await runCli(["target", "check", path]);
    expect(yaml.code).toBe(2);
    expect(yaml.stderr).toMatch(/not valid YAML or JSON/);
  });
});
