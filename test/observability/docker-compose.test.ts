// docker-compose.yml is valid for Debian's docker-compose 1.x and defines the documented services; what a
// Docker engine would show is tested as far as it can be without one: a pod started with the compose
// file's own environment for it answers on a non-loopback-only address and passes the compose healthcheck,
// every Prometheus target is a compose service, dependants wait for healthy services, images are pinned and
// the k6 image runs the bundle built for its release.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { freePort } from "../../lib/cluster/free-port.js";
import type { RedisServer } from "../../lib/cluster/redis-server.js";
import { k6BundleTargets } from "../../lib/engine/k6-bundle-targets.js";
import { parseK6Version } from "../../lib/engine/k6-version.js";
import { findBinary } from "../../lib/node-platform/find-binary.js";
import { type NodeProcess, runNode } from "../fixtures/node-process.js";
import { redisAvailable, startRedis } from "../fixtures/redis.js";
import { waitFor } from "../fixtures/wait-for.js";

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

interface ComposeService {
  image?: string;
  build?: unknown;
  profiles?: string[];
  command?: string[];
  environment?: Record<string, string>;
  volumes?: ({ source: string; target: string } | string)[];
  ports?: ({ published: number | string; target: number } | string)[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] };
}

interface ComposeConfig {
  services: Record<string, ComposeService>;
}

/** Container ports a service listens on: its published ports' targets and its PORT variable. */
function containerPorts(service: ComposeService): string[] {
  const published = (service.ports ?? []).map((port) =>
    typeof port === "object" ? String(port.target) : (port.split(":").at(-1) ?? ""),
  );
  return [...published, ...(service.environment?.PORT ? [service.environment.PORT] : [])];
}

/** ENV values set in the Dockerfile's backend stage. */
function backendStageEnv(dockerfile: string): string {
  const stage = dockerfile.slice(dockerfile.indexOf("AS backend"));
  return [...stage.matchAll(/^ENV (.+)$/gm)].map((match) => match[1]).join(" ");
}

describe.skipIf(skip)("docker-compose.yml", () => {
  // docker-compose is slow to start (a Python program), so one `config` run serves every check: it exits
  // non-zero when the file is invalid, and prints the resolved file otherwise.
  let resolved: ComposeConfig;
  beforeAll(async () => {
    resolved = parse(await compose("--profile", "load", "config")) as ComposeConfig;
  });

  it("runs redis, three backend pods, prometheus, alloy, grafana and jaeger, and k6 only under the load profile", () => {
    const { services } = resolved;
    expect(Object.keys(services).sort()).toEqual([
      "alloy",
      "grafana",
      "jaeger",
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
      "jaeger",
      "pod-a",
      "pod-b",
      "pod-c",
      "prometheus",
      "redis",
    ]);
    expect(services.k6?.profiles).toEqual(["load"]);
  });

  it("runs a pinned Jaeger with its OTLP/HTTP receiver, and a Prometheus that keeps exemplars", () => {
    const { jaeger, prometheus } = resolved.services;
    expect(jaeger?.image).toMatch(/jaegertracing\/jaeger:\d+\.\d+\.\d+$/);
    const published = JSON.stringify(jaeger?.ports);
    expect(published).toContain("4318");
    expect(published).toContain("16686");
    expect(prometheus?.command?.join(" ")).toMatch(/--enable-feature=\S*exemplar-storage/);
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

  it("names each pod, points it at the compose redis and has it listen on every interface", async () => {
    for (const pod of ["pod-a", "pod-b", "pod-c"]) {
      expect(resolved.services[pod]?.environment).toMatchObject({
        POD_NAME: pod,
        REDIS_URL: "redis://redis:6379",
        HOST: "0.0.0.0",
      });
    }
    // The image too, for `docker run` without compose.
    expect(backendStageEnv(await readFile(join(root, "Dockerfile"), "utf8"))).toContain("HOST=0.0.0.0");
  });

  it("scrapes only compose services, at ports they listen on, each pod labelled with its name", async () => {
    const config = parse(await readFile(join(root, "observability/prometheus/prometheus.yml"), "utf8")) as {
      scrape_configs: {
        job_name: string;
        static_configs: { targets: string[]; labels?: Record<string, string> }[];
      }[];
    };
    const scraped = config.scrape_configs.flatMap((job) =>
      job.static_configs.flatMap((group) =>
        group.targets.map((target) => ({ job: job.job_name, target, pod: group.labels?.pod })),
      ),
    );
    expect(scraped.length).toBeGreaterThan(0);
    for (const { target } of scraped) {
      const [host = "", port = ""] = target.split(":");
      const service = resolved.services[host];
      expect(service, `${target} names no compose service`).toBeDefined();
      expect(
        containerPorts(service as ComposeService),
        `${target}: ${host} does not listen on ${port}`,
      ).toContain(port);
    }
    const pods = scraped.filter(({ job }) => job === "crosspod-backend");
    expect(pods.map(({ target, pod }) => `${pod} ${target}`)).toEqual([
      "pod-a pod-a:8080",
      "pod-b pod-b:8080",
      "pod-c pod-c:8080",
    ]);
  });

  it("starts each service only after what it depends on is healthy, and every such service has a healthcheck", () => {
    const { services } = resolved;
    const edges = Object.entries(services).flatMap(([name, service]) => {
      const dependsOn = service.depends_on ?? {};
      expect(Array.isArray(dependsOn), `${name}: depends_on without conditions`).toBe(false);
      return Object.entries(dependsOn as Record<string, { condition: string }>).map(
        ([on, { condition }]) => ({
          name,
          on,
          condition,
        }),
      );
    });
    expect(edges.length).toBeGreaterThan(0);
    for (const { name, on, condition } of edges) {
      expect(condition, `${name} -> ${on}`).toBe("service_healthy");
      expect(services[on]?.healthcheck?.test, `${on} (needed by ${name}) has no healthcheck`).toBeDefined();
    }
    expect(Object.keys(services.k6?.depends_on ?? {}).sort()).toEqual([
      "grafana",
      "pod-a",
      "pod-b",
      "pod-c",
      "prometheus",
      "redis",
    ]);
  });

  it("pins every image, and runs the k6 bundle built for the pinned k6 image's release", async () => {
    for (const [name, service] of Object.entries(resolved.services)) {
      expect(service.image, name).toMatch(/:(v?\d+\.\d+\.\d+|local)$/);
      if (service.image?.endsWith(":local"))
        expect(service.build, `${name} builds its :local image`).toBeDefined();
    }
    const dockerfile = await readFile(join(root, "Dockerfile"), "utf8");
    const k6Tag = /^ARG K6_IMAGE=grafana\/k6:(\S+)$/m.exec(dockerfile)?.[1];
    expect(k6Tag, "the Dockerfile pins grafana/k6").toMatch(/^\d+\.\d+\.\d+$/);
    const version = parseK6Version(`k6 v${k6Tag}`);
    const target = k6BundleTargets.find((candidate) => candidate.accepts(version));
    expect(target, `no bundle target accepts k6 ${version.text}`).toBeDefined();
    const script = resolved.services.k6?.command?.at(-1) ?? "";
    expect(script).toBe(`/k6/${target?.dir}/cross-pod-load.js`);
    // The Dockerfile copies dist/k6 to /k6.
    expect(dockerfile).toContain("COPY --from=build /app/dist/k6 /k6");
    expect(existsSync(join(root, "dist", script))).toBe(true);
  });
});

describe.skipIf(skip || (!redisAvailable && process.env.CI !== "true"))(
  "a pod started with docker-compose.yml's environment for pod-a",
  () => {
    let redis: RedisServer | undefined;
    let pod: NodeProcess | undefined;
    let service: ComposeService | undefined;
    let port = 0;

    beforeAll(async () => {
      const resolved = parse(await compose("config")) as ComposeConfig;
      service = resolved.services["pod-a"];
      redis = await startRedis();
      port = await freePort();
      // Exactly the service's environment, except where compose's network is not here: Redis, and a port
      // that is free on this machine instead of the container's own 8080.
      pod = runNode(["dist/cli.js", "backend"], {
        ...service?.environment,
        REDIS_URL: redis.url,
        PORT: String(port),
      });
      await waitFor(
        async () => {
          const ready = await fetch(`http://127.0.0.2:${port}/readyz`).then(
            (response) => response.ok,
            () => false,
          );
          return ready || undefined;
        },
        `pod-a to answer on 127.0.0.2:${port} (output: ${pod.stderr()}${pod.stdout()})`,
        20_000,
        100,
      );
    }, 30_000);

    afterAll(async () => {
      pod?.child.kill("SIGTERM");
      await pod?.exited;
      await redis?.dispose();
    });

    it("answers on 127.0.0.2, so it is not bound to 127.0.0.1 alone", async () => {
      const response = await fetch(`http://127.0.0.2:${port}/readyz`);
      expect(response.status).toBe(200);
      const hello = await fetch(`http://127.0.0.2:${port}/metrics`);
      expect(await hello.text()).toContain('pod="pod-a"');
    });

    it("passes the compose healthcheck, run as compose runs it", async () => {
      const [kind, binary, ...args] = service?.healthcheck?.test ?? [];
      expect(kind).toBe("CMD");
      expect(binary).toBe("node");
      const env = { ...process.env, ...service?.environment, PORT: String(port) };
      await expect(promisify(execFile)(process.execPath, args, { env })).resolves.toBeDefined();
      // And fails against a port nothing listens on, so it cannot pass blindly.
      const closed = { ...env, PORT: String(await freePort()) };
      await expect(promisify(execFile)(process.execPath, args, { env: closed })).rejects.toThrow();
    });
  },
);
