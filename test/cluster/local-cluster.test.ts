// The local cluster's lifecycle with real redis-server and backend processes (and a stand-in backend for
// the failures a real one rarely shows): start, restart on the same port, and teardown on every path.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { ClusterError } from "../../lib/cluster/cluster-error.js";
import { type LocalCluster, startLocalCluster } from "../../lib/cluster/local-cluster.js";
import { runNode, waitForOutput } from "../fixtures/node-process.js";
import { descendantPids, isAlive, procAvailable } from "../fixtures/process-tree.js";
import { skipWithoutRedis } from "../fixtures/redis.js";

const standIn = fileURLToPath(new URL("../fixtures/backends/stand-in-backend.mjs", import.meta.url));
const clusterOwner = fileURLToPath(new URL("../fixtures/cluster-owner.ts", import.meta.url));

function newDescendants(before: number[]): number[] {
  return descendantPids(process.pid).filter((pid) => !before.includes(pid));
}

/** Runs cluster-owner.ts and resolves with what it printed once its cluster is up. */
async function startOwner(mode: "exit" | "wait-for-signal") {
  const owner = runNode(["--import", "tsx", clusterOwner, mode]);
  const [line] = await waitForOutput(owner, /^\{.*\}$/m, 20_000).catch((error: unknown) => {
    // SIGTERM lets the owner's own teardown stop whatever it had started.
    owner.child.kill("SIGTERM");
    throw error;
  });
  return { owner, ...(JSON.parse(line) as { pids: number[]; logDir: string }) };
}

describe.skipIf(skipWithoutRedis || !procAvailable)("local cluster", () => {
  let cluster: LocalCluster | undefined;

  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  it("starts redis-server and replicas pod-a, pod-b, pod-c on distinct loopback ports, all ready", async () => {
    cluster = await startLocalCluster({ replicas: 3 });
    expect(cluster.pods.map((pod) => pod.name)).toEqual(["pod-a", "pod-b", "pod-c"]);
    expect(new Set(cluster.pods.map((pod) => pod.port)).size).toBe(3);
    expect(cluster.redisUrl).toBe(cluster.redis?.url);
    for (const pod of cluster.pods) {
      expect(pod.httpUrl).toBe(`http://127.0.0.1:${pod.port}`);
      expect(pod.wsUrl).toBe(`ws://127.0.0.1:${pod.port}/ws`);
      expect((await fetch(`${pod.httpUrl}/readyz`)).status).toBe(200);
    }
  });

  it("restarts a killed pod on the same port", async () => {
    cluster = await startLocalCluster({ replicas: 2 });
    const pod = cluster.pod("pod-b");
    const { port, pid } = pod;
    expect(await pod.kill("SIGKILL")).toEqual({ code: null, signal: "SIGKILL", expected: true });
    expect(pod.running).toBe(false);
    await pod.start();
    expect(pod.running).toBe(true);
    expect(pod.port).toBe(port);
    expect(pod.pid).not.toBe(pid);
    expect((await fetch(`${pod.httpUrl}/readyz`)).status).toBe(200);
  });

  it("leaves no process and no temp log dir behind after close", async () => {
    const before = descendantPids(process.pid);
    cluster = await startLocalCluster({ replicas: 3 });
    const pids = [cluster.redis?.pid, ...cluster.pods.map((pod) => pod.pid)].filter(
      (pid): pid is number => pid !== undefined,
    );
    expect(pids).toHaveLength(4);
    expect(newDescendants(before).sort()).toEqual([...pids].sort());
    const logDir = cluster.logDir as string;
    expect(existsSync(logDir)).toBe(true);
    await cluster.close();
    expect(pids.filter(isAlive)).toEqual([]);
    expect(newDescendants(before)).toEqual([]);
    expect(existsSync(logDir)).toBe(false);
  });

  it("stops what it started when a pod never becomes ready, naming the pod and quoting its output", async () => {
    const before = descendantPids(process.pid);
    const starting = startLocalCluster({
      replicas: 2,
      cliPath: standIn,
      env: { STAND_IN: "never-ready" },
      readyTimeoutMs: 1500,
    });
    const error = await starting.then(
      () => new Error("the cluster started"),
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(ClusterError);
    expect((error as ClusterError).code).toBe("CROSSPOD_POD_NOT_READY");
    expect((error as Error).message).toMatch(
      /pod-a was not ready on http:\/\/127\.0\.0\.1:\d+\/readyz within 1500 ms/,
    );
    expect((error as Error).message).toContain("last answer: HTTP 503");
    expect((error as Error).message).toContain("pod-b stand-in (never-ready) listening");
    expect(newDescendants(before)).toEqual([]);
  });

  it("reports a pod that crashes while starting with its exit code and last output", async () => {
    const error = await startLocalCluster({ replicas: 1, cliPath: standIn, env: { STAND_IN: "crash" } }).then(
      () => new Error("the cluster started"),
      (reason: unknown) => reason,
    );
    expect((error as ClusterError).code).toBe("CROSSPOD_POD_EXITED");
    expect((error as Error).message).toMatch(/pod-a exited with code 3/);
    expect((error as Error).message).toContain("pod-a stand-in: cannot reach redis://127.0.0.1:");
  });

  it("escalates SIGTERM to SIGKILL when a pod ignores SIGTERM past the grace period", async () => {
    cluster = await startLocalCluster({
      replicas: 1,
      cliPath: standIn,
      env: { STAND_IN: "ignore-sigterm" },
      stopGraceMs: 300,
    });
    expect(await cluster.pod("pod-a").kill("SIGTERM")).toEqual({
      code: null,
      signal: "SIGKILL",
      expected: true,
    });
  });

  it("rejects options it cannot honour, naming the option", async () => {
    await expect(startLocalCluster({ replicas: 27 })).rejects.toThrow(
      /invalid local cluster options: replicas/,
    );
    await expect(startLocalCluster({ replicas: 1, redisUrl: "localhost:6379" })).rejects.toThrow(/redisUrl/);
  });

  it("names the known pods when asked for one it does not have", async () => {
    cluster = await startLocalCluster({ replicas: 2, cliPath: standIn });
    expect(() => cluster?.pod("pod-z")).toThrow('no pod named "pod-z" in this cluster (pods: pod-a, pod-b)');
  });

  it("kills its processes when the owning process exits without closing the cluster", async () => {
    const { owner, pids, logDir } = await startOwner("exit");
    expect(await owner.exited).toEqual({ code: 0, signal: null });
    expect(pids).toHaveLength(3);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(existsSync(logDir)).toBe(false);
  });

  it("closes its cluster, then re-raises SIGTERM, when the owning process has no handler of its own", async () => {
    const { owner, pids, logDir } = await startOwner("wait-for-signal");
    owner.child.kill("SIGTERM");
    expect(await owner.exited).toEqual({ code: null, signal: "SIGTERM" });
    expect(pids.filter(isAlive)).toEqual([]);
    expect(existsSync(logDir)).toBe(false);
  });
});
