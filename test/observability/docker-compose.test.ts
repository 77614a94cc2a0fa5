// docker-compose.yml is valid for Debian's docker-compose 1.x and defines the documented services.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { findBinary } from "../../lib/cluster/find-binary.js";

const dockerCompose = findBinary("docker-compose");
const root = join(import.meta.dirname, "../..");
const skip = !dockerCompose && process.env.CI !== "true";
if (skip)
  console.warn("SKIPPING docker-compose tests: docker-compose not found (apt-get install docker-compose)");

async function compose(...args: string[]): Promise<string> {
  if (!dockerCompose) throw new Error("docker-compose not found on PATH: run scripts/setup");
  try {
    const { stdout } = await promisify(execFile)(dockerCompose, args, {
      cwd: root,
      env: { ...process.env, CROSSPOD_RUN: "test-run", CROSSPOD_DELIVERY: "recover" },
    });
    return stdout;
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`docker-compose ${args.join(" ")} failed:\n${stdout}${stderr}`);
  }
}

interface ComposeConfig {
  services: Record<string, { profiles?: string[]; command?: string[]; environment?: Record<string, string> }>;
}

describe.skipIf(skip)("docker-compose.yml", () => {
  // docker-compose is slow to start (a Python program), so one `config` run serves every check: it exits
  // non-zero when the file is invalid, and prints the resolved file otherwise.
  let resolved: ComposeConfig;
  beforeAll(async () => {
    resolved = parse(await compose("--profile", "load", "config")) as ComposeConfig;
  });

  it("runs redis, three backend pods, prometheus and grafana, and k6 only under the load profile", () => {
    const { services } = resolved;
    expect(Object.keys(services).sort()).toEqual([
      "grafana",
      "k6",
      "pod-a",
      "pod-b",
      "pod-c",
      "prometheus",
      "redis",
    ]);
    const withoutProfile = Object.entries(services).filter(([, service]) => !service.profiles);
    expect(withoutProfile.map(([name]) => name).sort()).toEqual([
      "grafana",
      "pod-a",
      "pod-b",
      "pod-c",
      "prometheus",
      "redis",
    ]);
    expect(services.k6?.profiles).toEqual(["load"]);
  });

  it("points k6 at prometheus's remote-write receiver and tags its samples with the run", () => {
    const { k6, prometheus } = resolved.services;
    expect(k6?.environment?.K6_PROMETHEUS_RW_SERVER_URL).toBe("http://prometheus:9090/api/v1/write");
    expect(k6?.command).toContain("--tag=run=test-run");
    expect(k6?.environment?.CROSSPOD_RUN_ID).toBe("test-run");
    expect(prometheus?.command).toContain("--web.enable-remote-write-receiver");
  });

  it("names each pod and points it at the compose redis", () => {
    for (const pod of ["pod-a", "pod-b", "pod-c"]) {
      expect(resolved.services[pod]?.environment).toMatchObject({
        POD_NAME: pod,
        REDIS_URL: "redis://redis:6379",
      });
    }
  });
});
