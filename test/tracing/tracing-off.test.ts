// Off means off: a pod started without OTEL_* variables loads no OpenTelemetry module at all (the loaded
// modules are recorded by a loader hook in the pod process) and its frames carry no trace context.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCluster, startLocalCluster } from "../../lib/cluster/local-cluster.js";
import { skipWithoutRedis } from "../fixtures/redis.js";
import { TestClient } from "../fixtures/ws-client.js";

const recorder = pathToFileURL(join(import.meta.dirname, "../fixtures/module-load-recorder.mjs")).href;

describe.skipIf(skipWithoutRedis)("a pod without OTEL variables", () => {
  let cluster: LocalCluster | undefined;
  let logDir = "";

  beforeAll(async () => {
    logDir = await mkdtemp(join(tmpdir(), "crosspod-trace-off-"));
    cluster = await startLocalCluster({
      replicas: 1,
      env: {
        // Empty counts as unset, so an OTEL endpoint in the test runner's own environment cannot leak in.
        OTEL_EXPORTER_OTLP_ENDPOINT: "",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "",
        NODE_OPTIONS: `--import ${recorder}`,
        CROSSPOD_TEST_MODULE_LOG: join(logDir, "modules.log"),
      },
    });
  });

  afterAll(async () => {
    await cluster?.close();
    await rm(logDir, { recursive: true, force: true });
  });

  it("delivers threats without loading any OpenTelemetry module or adding a traceparent", async () => {
    const pod = cluster?.pod("pod-a");
    if (!pod) throw new Error("the cluster did not start");
    const client = await TestClient.connect(pod.wsUrl, { label: "client on pod-a" });
    try {
      const accepted = await fetch(`${pod.httpUrl}/api/threats/trigger`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        },
        body: "{}",
      }).then((response) => response.json() as Promise<{ seq: number }>);
      const frame = await client.waitFor(
        () => client.threats().find((threat) => threat.seq === accepted.seq),
        `seq ${accepted.seq}`,
      );
      expect(frame.traceparent).toBeUndefined();
    } finally {
      await client.close();
    }
    const loaded = await readFile(join(logDir, "modules.log"), "utf8");
    expect(loaded, "the recorder saw the pod's own modules").toMatch(/ioredis/);
    expect(loaded).not.toMatch(/opentelemetry/i);
  });
});
