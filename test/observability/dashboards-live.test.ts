// The live check: a real Prometheus scrapes a short real run (3 local pods, the Node engine, a pod killed
// mid-run, one console page in Chromium on that pod sending Faro RUM to the local collector, as
// `crosspod run --browsers` does) and every query of every panel of every dashboard returns data from
// Prometheus's HTTP API.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChaosController } from "../../lib/chaos/chaos-controller.js";
import { ChaosScheduleRunner } from "../../lib/chaos/chaos-schedule-runner.js";
import { type FaroCollector, startFaroCollector } from "../../lib/cluster/faro-collector.js";
import { freePort } from "../../lib/cluster/free-port.js";
import { type LocalCluster, startLocalCluster } from "../../lib/cluster/local-cluster.js";
import { scrapeJobs } from "../../lib/cluster/prometheus-config.js";
import {
  findPrometheus,
  type PrometheusServer,
  startPrometheus,
} from "../../lib/cluster/prometheus-server.js";
import { parseChaosSchedule } from "../../lib/core/chaos-schedule.js";
import { resolveProfile } from "../../lib/core/profiles.js";
import { type BrowserPages, findChromium, openBrowserPages } from "../../lib/engine/browser-pages.js";
import { runNodeEngine } from "../../lib/engine/run-node-engine.js";
import { redisAvailable } from "../fixtures/redis.js";
import { type PanelQuery, panelQueries } from "./panel-queries.js";

interface PrometheusAnswer {
  status: string;
  error?: string;
  data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
}

async function queryRange(prometheusUrl: string, expr: string, startSeconds: number, endSeconds: number) {
  const params = new URLSearchParams({
    query: expr,
    start: String(startSeconds),
    end: String(endSeconds),
    step: "1",
  });
  const response = await fetch(`${prometheusUrl}/api/v1/query_range?${params}`);
  const answer = (await response.json()) as PrometheusAnswer;
  if (answer.status !== "success") throw new Error(`query ${expr} failed: ${answer.error}`);
  return answer.data.result;
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

const skip = (!findPrometheus() || !redisAvailable || !findChromium()) && process.env.CI !== "true";

describe.skipIf(skip)("dashboards against a live run", () => {
  const runId = `live-${Date.now()}`;
  let cluster: LocalCluster | undefined;
  let prometheus: PrometheusServer | undefined;
  let collector: FaroCollector | undefined;
  let pages: BrowserPages | undefined;
  let startSeconds = 0;
  let endSeconds = 0;

  beforeAll(async () => {
    [cluster, collector] = await Promise.all([startLocalCluster({ replicas: 3 }), startFaroCollector()]);
    collector.registry.setDefaultLabels({ run: runId });
    const metricsPort = await freePort();
    prometheus = await startPrometheus({
      scrapeTargets: [
        { job: scrapeJobs.backend, targets: cluster.pods.map((pod) => `${pod.httpUrl}/metrics`) },
        { job: scrapeJobs.engine, targets: [`http://127.0.0.1:${metricsPort}/metrics`] },
        { job: scrapeJobs.browser, targets: [collector.metricsUrl] },
      ],
    });
    const url = prometheus.url;
    await waitFor("Prometheus to scrape all three pods", 30_000, async () => {
      const now = Date.now() / 1000;
      const up = await queryRange(url, `sum(up{job="${scrapeJobs.backend}"})`, now - 2, now);
      return up[0]?.values.some(([, value]) => value === "3") ?? false;
    });
    startSeconds = Math.floor(Date.now() / 1000) - 5;
    const live = cluster;
    // On the pod the schedule kills, so the page reconnects too (the Browser row's reconnect panel).
    const podB = live.pods.find((pod) => pod.name === "pod-b");
    if (!podB) throw new Error("the cluster has no pod-b");
    pages = await openBrowserPages({
      pods: [{ name: podB.name, httpUrl: podB.httpUrl }],
      count: 1,
      collectorUrl: collector.url,
    });
    const profile = resolveProfile("cross-pod-load", {
      connections: 60,
      rampSeconds: 1,
      triggerRate: 20,
      durationSeconds: 12,
      drainSeconds: 5,
    });
    // Kill pod-b a few seconds into triggering and start it again: reconnects, resume backfills, and a
    // chaos event that the engine exports for annotations.
    const chaos = new ChaosScheduleRunner(
      parseChaosSchedule("kill-pod:pod-b@4s,restart-pod:pod-b@5s"),
      new ChaosController(live),
    );
    await runNodeEngine({
      runId,
      profile,
      targets: live.pods.map((pod) => pod.httpUrl),
      thresholds: {},
      metricsPort,
      chaos,
    });
    endSeconds = Math.ceil(Date.now() / 1000);
  }, 120_000);

  afterAll(async () => {
    await pages?.close();
    await collector?.close();
    await prometheus?.close();
    await cluster?.close();
  });

  it("answers every panel query of every dashboard with data", async () => {
    const url = prometheus?.url ?? "";
    const queries = panelQueries(runId);
    // Rules evaluate a scrape interval after the samples they read: poll until every query has data.
    let answers: { query: PanelQuery; result: Awaited<ReturnType<typeof queryRange>> }[] = [];
    const deadline = Date.now() + 20_000;
    do {
      const end = Math.max(endSeconds, Math.ceil(Date.now() / 1000));
      answers = await Promise.all(
        queries.map(async (query) => ({
          query,
          result: await queryRange(url, query.expr, startSeconds, end),
        })),
      );
      if (answers.every(({ result }) => result.length > 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    } while (Date.now() < deadline);

    console.log(
      answers
        .map(({ query, result }) => {
          const last = result.map((series) => {
            const labels = series.metric.pod ?? series.metric.le ?? series.metric.action ?? "";
            return `${labels}${labels ? "=" : ""}${series.values.at(-1)?.[1]}`;
          });
          return `${query.dashboard} / ${query.panel}: ${last.join(", ") || "EMPTY"}`;
        })
        .join("\n"),
    );
    const empty = answers.filter(({ result }) => result.length === 0);
    expect(empty.map(({ query }) => `${query.dashboard} / ${query.panel}: ${query.expr}`)).toEqual([]);
  });
});
