// startPrometheus runs a real prometheus that scrapes a tiny metrics server and answers queries about it.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  findPrometheus,
  type PrometheusServer,
  startPrometheus,
} from "../../lib/cluster/prometheus-server.js";

const exposition = [
  "# HELP crosspod_fixture_value A value the test expects to read back.",
  "# TYPE crosspod_fixture_value gauge",
  'crosspod_fixture_value{pod="fixture-pod"} 42',
  "",
].join("\n");

interface QueryResponse {
  status: string;
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

async function waitForSeries(prometheusUrl: string, query: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
    const body = (await response.json()) as QueryResponse;
    if (body.data.result.length > 0) return body.data.result;
    last = JSON.stringify(body);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no series for ${query} within ${timeoutMs} ms; last answer ${last}`);
}

async function waitForNoSeries(prometheusUrl: string, query: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
    const body = (await response.json()) as QueryResponse;
    if (body.data.result.length === 0) return;
    last = JSON.stringify(body.data.result);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${query} still has series after ${timeoutMs} ms: ${last}`);
}

const skip = !findPrometheus() && process.env.CI !== "true";
if (skip) console.warn("SKIPPING startPrometheus tests: prometheus not found (apt-get install prometheus)");

describe.skipIf(skip)("startPrometheus", () => {
  let metricsServer: Server;
  let prometheus: PrometheusServer | undefined;

  beforeAll(async () => {
    metricsServer = createServer((request, response) => {
      if (request.url === "/custom/metrics") {
        response.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(exposition);
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => metricsServer.listen(0, "127.0.0.1", resolve));
    const { port } = metricsServer.address() as AddressInfo;
    prometheus = await startPrometheus({
      scrapeTargets: [
        { job: "fixture", targets: [`http://127.0.0.1:${port}/custom/metrics`], labels: { stack: "test" } },
      ],
    });
  });

  afterAll(async () => {
    await prometheus?.close();
    await new Promise((resolve) => metricsServer.close(resolve));
  });

  it("listens on a loopback URL that reports ready", async () => {
    expect(prometheus?.url).toBe(`http://127.0.0.1:${prometheus?.port}`);
    const response = await fetch(`${prometheus?.url}/-/ready`);
    expect(response.status).toBe(200);
  });

  it("scrapes the target's metrics path and answers the query API with its value and labels", async () => {
    const [series] = await waitForSeries(prometheus?.url ?? "", "crosspod_fixture_value", 20_000);
    expect(series?.value[1]).toBe("42");
    expect(series?.metric).toMatchObject({ pod: "fixture-pod", job: "fixture", stack: "test" });
  });

  it("loads the repo's recording and alert rules", async () => {
    const response = await fetch(`${prometheus?.url}/api/v1/rules`);
    const body = (await response.json()) as { data: { groups: { name: string }[] } };
    expect(body.data.groups.map((g) => g.name)).toEqual(
      expect.arrayContaining([
        "crosspod-load-node",
        "crosspod-load-k6",
        "crosspod-backend",
        "crosspod-alerts",
      ]),
    );
  });

  it("accepts remote writes, so k6 can push into it", async () => {
    // An empty body is not a valid write request (400), but a disabled receiver answers 404.
    const response = await fetch(`${prometheus?.url}/api/v1/write`, { method: "POST", body: "" });
    expect(response.status).not.toBe(404);
  });
});

describe.skipIf(skip)("PrometheusServer.stopScraping", () => {
  it("drops every target, so the series of what was scraped end instead of reading as down", async () => {
    const fixture = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(exposition);
    });
    await new Promise<void>((resolve) => fixture.listen(0, "127.0.0.1", resolve));
    const { port } = fixture.address() as AddressInfo;
    const server = await startPrometheus({
      scrapeTargets: [{ job: "fixture", targets: [`http://127.0.0.1:${port}/metrics`] }],
      ruleFiles: [],
    });
    try {
      await waitForSeries(server.url, 'up{job="fixture"} == 1', 20_000);
      await server.stopScraping();
      const targets = await fetch(`${server.url}/api/v1/targets?state=active`);
      expect(((await targets.json()) as { data: { activeTargets: unknown[] } }).data.activeTargets).toEqual(
        [],
      );
      // The dropped scrape loop marks its series stale a scrape interval or two later.
      await waitForNoSeries(server.url, 'up{job="fixture"}', 10_000);
    } finally {
      await server.close();
      await new Promise((resolve) => fixture.close(resolve));
    }
  });
});

describe.skipIf(skip)("PrometheusServer.close", () => {
  it("ends the process and frees its port", async () => {
    const server = await startPrometheus({
      scrapeTargets: [{ job: "self", targets: ["http://127.0.0.1:1/metrics"] }],
      ruleFiles: [],
    });
    await server.close();
    await expect(fetch(`${server.url}/-/ready`)).rejects.toThrow();
  });
});

describe("startPrometheus without a binary", () => {
  it("fails naming the missing binary and how to install it", async () => {
    await expect(
      startPrometheus({
        scrapeTargets: [{ job: "self", targets: ["http://127.0.0.1:1/metrics"] }],
        binary: "/nonexistent/prometheus",
      }),
    ).rejects.toThrowError(/prometheus was not found at \/nonexistent\/prometheus; install it/);
  });
});
