// docker-compose.yml is valid for Debian's docker-compose 1.x and defines the documented services.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
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

describe.skipIf(skip)("docker-compose.yml", () => {
  it("validates with docker-compose config", async () => {
    await compose("config", "--quiet");
  });

  it("runs redis, three backend pods, prometheus and grafana, and k6 only under the load profile", async () => {
    const { services } = parse(await compose("config")) as {
      services: Record<string, { profiles?: string[] }>;
    };
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

  it("points k6 at prometheus's remote-write receiver and tags its samples with the run", async () => {
    const config = await compose("--profile", "load", "config");
    expect(config).toContain("K6_PROMETHEUS_RW_SERVER_URL: http://prometheus:9090/api/v1/write");
    expect(config).toContain("--tag=run=test-run");
    expect(config).toContain("--web.enable-remote-write-receiver");
  });
});
