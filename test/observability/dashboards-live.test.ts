// The live check: a real Prometheus scrapes a short real run as `crosspod run --chaos --prometheus --browsers`
// sets it up (3 local pods behind failover proxies for the clients, the Node engine, pod-b killed for longer
// than CrosspodPodDown's `for:` and restarted, one console page in Chromium on pod-b sending Faro RUM to the
// local collector). Prometheus scrapes the pods themselves, so pod-b is down under its own name: the alert
// fires for it and resolves, pods scraped goes 3 → 2 → 3, no trigger is counted twice, and every query of
// every panel of every dashboard returns data from Prometheus's HTTP API.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChaosCluster, startChaosCluster } from "../../lib/chaos/chaos-cluster.js";
import { ChaosScheduleRunner } from "../../lib/chaos/chaos-schedule-runner.js";
import { type FaroCollector, startFaroCollector } from "../../lib/cluster/faro-collector.js";
import { freePort } from "../../lib/cluster/free-port.js";
import { backendScrapeTarget, scrapeJobs } from "../../lib/cluster/prometheus-config.js";
import {
  findPrometheus,
  type PrometheusServer,
  startPrometheus,
} from "../../lib/cluster/prometheus-server.js";
import { parseChaosSchedule } from "../../lib/core/chaos-schedule.js";
import { resolveProfile } from "../../lib/core/profiles.js";
import { type BrowserPages, findChromium, openBrowserPages } from "../../lib/engine/browser-pages.js";
import { type NodeEngineResult, runNodeEngine } from "../../lib/engine/run-node-engine.js";
import { redisAvailable } from "../fixtures/redis.js";
import { type PanelQuery, panelQueries } from "./panel-queries.js";
import { type ShortAlertRules, shortAlertRules } from "./support/short-alert-rules.js";

/** Triggers per second, and Prometheus's scrape interval: a dead pod's last second of publishes is unseen. */
const triggerRate = 20;
const connections = 60;
const scrapeIntervalSeconds = 1;

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

async function queryNow(prometheusUrl: string, expr: string) {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const answer = (await response.json()) as { status: string; error?: string; data: { result: unknown[] } };
  if (answer.status !== "success") throw new Error(`query ${expr} failed: ${answer.error}`);
  return answer.data.result;
}

/** The values of a series with runs of equal values collapsed: [3, 3, 2, 2, 3] → [3, 2, 3]. */
function steps(values: [number, string][]): number[] {
  return values.map(([, value]) => Number(value)).filter((value, i, all) => i === 0 || all[i - 1] !== value);
}

/** What a counter counted over the samples, across restarts (a reset starts again from 0). */
function counted(values: [number, string][]): number {
  let total = 0;
  let previous = 0;
  for (const [, text] of values) {
    const value = Number(text);
    total += value >= previous ? value - previous : value;
    previous = value;
  }
  return total;
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

describe.skipIf(skip)("dashboards against a live run with pod-b killed", () => {
  const runId = `live-${Date.now()}`;
  let chaosCluster: ChaosCluster | undefined;
  let rules: ShortAlertRules | undefined;
  let result: NodeEngineResult | undefined;
  let prometheus: PrometheusServer | undefined;
  let collector: FaroCollector | undefined;
  let pages: BrowserPages | undefined;
  let startSeconds = 0;
  /** When Prometheus had scraped all three pods. */
  let allUpSeconds = 0;
  let endSeconds = 0;

  beforeAll(async () => {
    [chaosCluster, collector, rules] = await Promise.all([
      startChaosCluster({ replicas: 3, clientLinks: true }),
      startFaroCollector(),
      // The shipped rules, with CrosspodPodDown's 15 s shortened so a short kill outlasts it.
      shortAlertRules({ CrosspodPodDown: "3s" }),
    ]);
    const cluster = chaosCluster.cluster;
    collector.registry.setDefaultLabels({ run: runId });
    const metricsPort = await freePort();
    prometheus = await startPrometheus({
      scrapeTargets: [
        backendScrapeTarget(cluster.pods),
        { job: scrapeJobs.engine, targets: [`http://127.0.0.1:${metricsPort}/metrics`] },
        { job: scrapeJobs.browser, targets: [collector.metricsUrl] },
      ],
      ruleFiles: rules.files,
      scrapeIntervalSeconds,
    });
    const url = prometheus.url;
    await waitFor("Prometheus to scrape all three pods", 30_000, async () => {
      const now = Date.now() / 1000;
      const up = await queryRange(url, `sum(up{job="${scrapeJobs.backend}"})`, now - 2, now);
      return up[0]?.values.some(([, value]) => value === "3") ?? false;
    });
    allUpSeconds = Math.ceil(Date.now() / 1000);
    startSeconds = allUpSeconds - 5;
    // On the pod the schedule kills, so the page reconnects too (the Browser row's reconnect panel).
    const podB = cluster.pods.find((pod) => pod.name === "pod-b");
    if (!podB) throw new Error("the cluster has no pod-b");
    pages = await openBrowserPages({
      pods: [{ name: podB.name, httpUrl: podB.httpUrl }],
      count: 1,
      collectorUrl: collector.url,
    });
    const profile = resolveProfile("cross-pod-load", {
      connections,
      rampSeconds: 1,
      triggerRate,
      durationSeconds: 16,
      drainSeconds: 5,
    });
    // Kill pod-b a few seconds into triggering for longer than the alert's 3 s `for:`, and start it again:
    // reconnects, resume backfills, and chaos events that the engine exports for annotations. Clients and
    // triggers go through the failover proxies, as `crosspod run --chaos` sends them.
    const chaos = new ChaosScheduleRunner(
      parseChaosSchedule("kill-pod:pod-b@3s,restart-pod:pod-b@12s"),
      chaosCluster.controller,
    );
    result = await runNodeEngine({
      runId,
      profile,
      targets: chaosCluster.targetUrls,
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
    await chaosCluster?.close();
    await rules?.remove();
  });

  it("scrapes pod-b at its own address: pods scraped goes 3 → 2 → 3 and pod-b is down under its name", async () => {
    const url = prometheus?.url ?? "";
    const [scraped] = await queryRange(url, `sum(up{job="${scrapeJobs.backend}"})`, allUpSeconds, endSeconds);
    expect(steps(scraped?.values ?? [])).toEqual([3, 2, 3]);
    const [podB] = await queryRange(
      url,
      `up{job="${scrapeJobs.backend}", pod="pod-b"}`,
      allUpSeconds,
      endSeconds,
    );
    expect(steps(podB?.values ?? [])).toEqual([1, 0, 1]);
    // pod-b's own series come back after the restart, from pod-b (the restarted process's counter).
    const [published] = await queryRange(
      url,
      `crosspod_backend_published_total{job="${scrapeJobs.backend}", pod="pod-b"}`,
      endSeconds - 2,
      endSeconds,
    );
    expect(published?.metric.instance).toBe(podB?.metric.instance);
    expect(published?.values.length).toBeGreaterThan(0);
  });

  it("fires CrosspodPodDown for pod-b while it is dead, and resolves it after the restart", async () => {
    const url = prometheus?.url ?? "";
    const firing = await queryRange(
      url,
      'ALERTS{alertname="CrosspodPodDown", alertstate="firing"}',
      startSeconds,
      endSeconds,
    );
    expect(firing.map((series) => series.metric.pod)).toEqual(["pod-b"]);
    await waitFor("CrosspodPodDown to resolve", 10_000, async () => {
      return (await queryNow(url, 'ALERTS{alertname="CrosspodPodDown"}')).length === 0;
    });
  });

  it("counts each accepted trigger once in the pods' publish counters, within one scrape interval", async () => {
    const url = prometheus?.url ?? "";
    const series = await queryRange(
      url,
      `crosspod_backend_published_total{job="${scrapeJobs.backend}"}`,
      startSeconds,
      endSeconds,
    );
    expect(series.map((s) => s.metric.pod).sort()).toEqual(["pod-a", "pod-b", "pod-c"]);
    const published = series.reduce((sum, s) => sum + counted(s.values), 0);
    const accepted = result?.report.overall.triggers.accepted ?? 0;
    console.log(`published per pods' counters: ${published}; triggers accepted: ${accepted}`);
    expect(accepted).toBeGreaterThan(0);
    // What pod-b published after its last scrape before the kill is never scraped.
    expect(Math.abs(published - accepted)).toBeLessThanOrEqual(triggerRate * scrapeIntervalSeconds);
  });

  it("shows plausible figures in the panels: connections, trigger and frame rates, no loss, the matrix", async () => {
    const url = prometheus?.url ?? "";
    const values = async (expr: string) => {
      const result = await queryRange(url, expr, startSeconds, endSeconds);
      return result.flatMap((series) => series.values.map(([, value]) => Number(value)));
    };
    const max = async (expr: string) => Math.max(...(await values(expr)));
    const sel = `run="${runId}"`;
    // "Connections" stat: every client said hello at its peak.
    expect(await max(`sum(crosspod:connections{${sel}})`)).toBe(connections);
    // "Triggers accepted/s": the schedule's rate, give or take the 30 s window's edges.
    const accepted = await max(`sum(crosspod:triggers:rate{${sel}, outcome="accepted"})`);
    expect(accepted).toBeGreaterThan(triggerRate * 0.4);
    expect(accepted).toBeLessThan(triggerRate * 1.5);
    // "Frames/s": every client gets every trigger.
    const frames = await max(`sum(crosspod:frames_received:rate{${sel}})`);
    expect(frames).toBeGreaterThan(connections * triggerRate * 0.4);
    expect(frames).toBeLessThan(connections * triggerRate * 1.5);
    // "Origin → delivering pod": the pairs add up to the frames seen by all pods.
    const matrix = await max(`sum(crosspod:origin_frames_received:rate{${sel}})`);
    expect(Math.abs(matrix - frames)).toBeLessThan(frames * 0.05);
    // "Lost while connected" stays 0 in recover mode; pod-b's clients resumed elsewhere.
    expect(await max(`sum(crosspod:lost:total{${sel}})`)).toBe(0);
    expect(await max(`sum(crosspod:reconnects:total{${sel}})`)).toBeGreaterThan(0);
    // "Generator CPU" is a share of cores, "Run valid so far" a verdict.
    const cpu = await values(`crosspod:generator_cpu:ratio{${sel}}`);
    expect(cpu.every((value) => value >= 0 && value < 4)).toBe(true);
    expect((await values(`crosspod:run_valid{${sel}}`)).every((value) => value === 0 || value === 1)).toBe(
      true,
    );
    // "Redis publish and receive rates": each live pod receives what all pods publish.
    const published = await max("sum(crosspod:backend_published:rate)");
    const receivedPodA = await max('crosspod:backend_redis_received:rate{pod="pod-a"}');
    expect(Math.abs(receivedPodA - published)).toBeLessThan(published * 0.1);
    // "Firing alerts": of the pod alerts, only pod-b's CrosspodPodDown. (The fan-out SLO's burn alerts may
    // fire too: on a shared 2-core machine the run's first second of frames can be mostly over budget.)
    const firing = await queryRange(
      url,
      'ALERTS{alertstate="firing", alertname=~"CrosspodPodDown|CrosspodRedisDown|CrosspodSlowConsumersClosed"}',
      startSeconds,
      endSeconds,
    );
    expect(firing.map((series) => `${series.metric.alertname} ${series.metric.pod}`)).toEqual([
      "CrosspodPodDown pod-b",
    ]);
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
