// Generator isolation: the local cluster's pods and Redis start under taskset on the cluster's CPUs, and a
// process pins itself (every thread) to the generator's; checked in /proc, the kernel's own view.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import {
  defaultCpuSplit,
  pinnedCommand,
  pinProcess,
  tasksetAvailable,
} from "../../lib/cluster/cpu-pinning.js";
import { type LocalCluster, startLocalCluster } from "../../lib/cluster/local-cluster.js";
import { skipWithoutRedis } from "../fixtures/redis.js";

/** The CPUs the kernel lets process `pid` run on, as /proc shows them ("0", "0-1"). */
function allowedCpus(pid: number): string | undefined {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("Cpus_allowed_list:"));
  return line?.split(":")[1]?.trim();
}

describe("CPU split", () => {
  it("gives the generator the last quarter of a small machine and the cluster the rest", () => {
    expect(defaultCpuSplit(2)).toEqual({ generator: "1", cluster: "0" });
    expect(defaultCpuSplit(4)).toEqual({ generator: "3", cluster: "0-2" });
    expect(defaultCpuSplit(8)).toEqual({ generator: "6-7", cluster: "0-5" });
    expect(defaultCpuSplit(1)).toBeUndefined();
    expect(defaultCpuSplit(16)).toBeUndefined();
    expect(pinnedCommand("0", "node", ["cli.js"])).toEqual(["taskset", ["-c", "0", "node", "cli.js"]]);
    expect(pinnedCommand(undefined, "node", ["cli.js"])).toEqual(["node", ["cli.js"]]);
  });
});

const skip = skipWithoutRedis || !tasksetAvailable();

describe.skipIf(skip)("pinning real processes", () => {
  let cluster: LocalCluster | undefined;

  afterAll(async () => {
    await cluster?.close();
  });

  it("starts the pods and Redis on the cluster's CPUs", async () => {
    cluster = await startLocalCluster({ replicas: 1, cpus: "0" });
    const pod = cluster.pods[0];
    expect(pod?.pid).toBeDefined();
    expect(allowedCpus(pod?.pid as number)).toBe("0");
    expect(allowedCpus(cluster.redis?.pid as number)).toBe("0");
  }, 60_000);

  it("pins a running process, every thread of it", async () => {
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"], { stdio: "ignore" });
    try {
      await new Promise((resolve) => child.once("spawn", resolve));
      pinProcess("0", child.pid);
      expect(allowedCpus(child.pid as number)).toBe("0");
    } finally {
      child.kill("SIGKILL");
    }
  });
});
