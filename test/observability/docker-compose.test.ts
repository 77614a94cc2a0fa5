// docker-compose.yml is valid for Debian's docker-compose 1.x and defines the documented services.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
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
  services: Record<
    string,
    {
      profiles?: string[];
      command?: string[];
      environment?: Record<string, string>;
      volumes?: ({ source: string; target: string } | string)[];
      ports?: ({ published: number | string; target: number } | string)[];
    }
  >;
}

describe.skipIf(skip)("docker-compose.yml", () => {
  // docker-compose is slow to start (a Python program), so one `config` run serves every check: it exits
  // non-zero when the file is invalid, and prints the resolved file otherwise.
  let resolved: ComposeConfig;
  beforeAll(async () => {
    resolved = parse(await compose("--profile", "load", "config")) as ComposeConfig;
  });

  it("runs redis, three backend pods, prometheus, alloy and grafana, and k6 only under the load profile", () => {
    const { services } = resolved;
    expect(Object.keys(services).sort()).toEqual([
      "alloy",
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
      "alloy",
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

  it("runs Alloy on config.alloy, whose Faro receiver writes the browser histograms to prometheus", async () => {
    const alloy = resolved.services.alloy;
    expect(alloy?.command).toContain("/etc/alloy/config.alloy");
    expect(alloy?.environment?.CROSSPOD_RUN).toBe("test-run");
    // docker-compose 1.x prints "source:target:mode"; 2.x an object.
    const mounts = alloy?.volumes?.map((volume) =>
      typeof volume === "object" ? `${volume.source}:${volume.target}` : volume,
    );
    expect(mounts?.some((mount) => mount.startsWith(`${join(root, "observability/alloy")}:/etc/alloy`))).toBe(
      true,
    );
    const config = await readFile(join(root, "observability/alloy/config.alloy"), "utf8");
    const receiverPort = /listen_port\s*=\s*(\d+)/.exec(config)?.[1];
    const published = alloy?.ports?.map((port) => (typeof port === "object" ? String(port.target) : port));
    expect(published).toContain(receiverPort);
    expect(config).toMatch(/faro\.receiver "console"/);
    expect(config).toContain('url = "http://prometheus:9090/api/v1/write"');
    // The same series the recording rules and the local collector use.
    for (const name of ["render_latency_seconds", "ws_reconnect_seconds", "web_vital_seconds"]) {
      expect(config).toContain(`name              = "${name}"`);
    }
    expect(config.match(/prefix\s*=\s*"crosspod_browser_"/g)).toHaveLength(3);
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
