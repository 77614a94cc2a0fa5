// `--prometheus` as a user runs it, with a real prometheus and real processes: `crosspod up --prometheus`
// scrapes every pod and stops with the cluster; `crosspod run --prometheus --prometheus-keep` leaves a
// Prometheus holding the run's final figures (raw and crosspod:* series) until Ctrl-C, with nothing else
// left running, and exits with the run's verdict code.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, type OnTestFinishedHandler } from "vitest";
import { prometheusAfterRun } from "../../lib/cli/prometheus-keep.js";
import { resolveRunConfig } from "../../lib/cli/run-options.js";
import { scrapeJobs } from "../../lib/cluster/prometheus-config.js";
import { queryPrometheus } from "../../lib/cluster/prometheus-query.js";
import { findPrometheus } from "../../lib/cluster/prometheus-server.js";
import { activeTargets } from "../../lib/cluster/prometheus-targets.js";
import { reportSchema } from "../../lib/core/report-model.js";
import { reportVerdict } from "../../lib/report/report-verdict.js";
import { type NodeProcess, runNode, waitForOutput } from "../fixtures/node-process.js";
import { descendantPids, isAlive, procAvailable } from "../fixtures/process-tree.js";
import { redisAvailable } from "../fixtures/redis.js";

describe("--prometheus-keep", () => {
  const base = { prometheus: true, threshold: [] };

  it("reads a duration in seconds when --prometheus is given", () => {
    expect(resolveRunConfig("cross-pod-load", { ...base, prometheusKeep: "10m" }, {})).toMatchObject({
      prometheus: true,
      prometheusKeepSeconds: 600,
    });
    expect(resolveRunConfig("cross-pod-load", base, {}).prometheusKeepSeconds).toBeUndefined();
  });

  it.each([
    [{ prometheusKeep: "10m", threshold: [] }, "--prometheus-keep applies with --prometheus"],
    [
      { ...base, prometheusKeep: "0s" },
      '--prometheus-keep: expected a duration above 0 and at most 24h, e.g. 10m (got "0s")',
    ],
    [{ ...base, prometheusKeep: "25h" }, "--prometheus-keep: expected a duration above 0 and at most 24h"],
    [{ ...base, prometheusKeep: "soon" }, '--prometheus-keep: invalid duration "soon"'],
  ])("rejects %j naming the flag", (raw, message) => {
    expect(() => resolveRunConfig("cross-pod-load", raw, {})).toThrow(message);
  });

  it("keeps Prometheus on a terminal until Ctrl-C, for the asked time anywhere, and otherwise not", () => {
    expect(prometheusAfterRun(undefined, true)).toEqual({ keep: true, seconds: undefined });
    expect(prometheusAfterRun(20, false)).toEqual({ keep: true, seconds: 20 });
    expect(prometheusAfterRun(20, true)).toEqual({ keep: true, seconds: 20 });
    expect(prometheusAfterRun(undefined, false)).toEqual({ keep: false });
  });
});

const skip = (!findPrometheus() || !redisAvailable || !procAvailable) && process.env.CI !== "true";

/** Starts `node args` and SIGKILLs it when the test ends, also on failure (tests here run concurrently). */
function startCli(args: string[], onTestFinished: (handler: OnTestFinishedHandler) => void): NodeProcess {
  const cli = runNode(["dist/cli.js", ...args]);
  onTestFinished(async () => {
    if (cli.child.exitCode !== null || cli.child.signalCode !== null) return;
    cli.child.kill("SIGKILL");
    await cli.exited;
  });
  return cli;
}

/** The machine is shared with the pods and other tests: these runs check Prometheus, not headroom. */
const sharedMachineFlags = [
  "--threshold",
  "crosspod_fanout_latency:p(99)<60000",
  "--max-generator-lag",
  "1000",
  "--max-generator-cpu",
  "400",
];

/** The URL `crosspod run --prometheus-keep` prints once the run is over and Prometheus is kept. */
async function keptPrometheusUrl(cli: NodeProcess): Promise<string> {
  const [, url] = await waitForOutput(
    cli,
    /^prometheus: (http:\/\/\S+) keeps this run's series; press Ctrl-C to stop it/m,
    90_000,
  );
  return url as string;
}

async function sampleValue(prometheusUrl: string, expr: string): Promise<number | undefined> {
  const [sample] = await queryPrometheus(prometheusUrl, expr);
  return sample?.value;
}

describe.skipIf(skip)("--prometheus with real processes", () => {
  const workDir = mkdtempSync(join(tmpdir(), "crosspod-prometheus-flags-"));
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it.concurrent("crosspod up --prometheus scrapes every pod and leaves no process behind on Ctrl-C", async ({
    onTestFinished,
  }) => {
    const cli = startCli(["up", "--replicas", "2", "--prometheus"], onTestFinished);
    await waitForOutput(cli, /Press Ctrl-C to stop\./, 60_000);
    const printed = cli.stdout();
    const pods = [...printed.matchAll(/^ {2}(pod-[a-z]) {2}(http:\/\/\S+) /gm)].map((match) => match[2]);
    const prometheusUrl = /^ {2}prometheus {2}(http:\/\/\S+) /m.exec(printed)?.[1];
    expect(pods, printed).toHaveLength(2);
    expect(prometheusUrl, printed).toBeDefined();
    const url = prometheusUrl as string;

    // startPrometheus returns once every target was scraped; a scrape on a busy machine may still fail.
    const deadline = Date.now() + 15_000;
    let targets = await activeTargets(url);
    while (targets.some((target) => target.health !== "up") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      targets = await activeTargets(url);
    }
    expect(
      targets
        .map(({ job, scrapeUrl, health }) => ({ job, scrapeUrl, health }))
        .sort((a, b) => a.scrapeUrl.localeCompare(b.scrapeUrl)),
    ).toEqual(
      pods
        .map((pod) => ({ job: scrapeJobs.backend, scrapeUrl: `${pod}/metrics`, health: "up" }))
        .sort((a, b) => a.scrapeUrl.localeCompare(b.scrapeUrl)),
    );
    const children = descendantPids(cli.child.pid as number);
    expect(children).toHaveLength(4); // redis-server, two pods, prometheus

    cli.child.kill("SIGINT");
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect(children.filter(isAlive)).toEqual([]);
    await expect(fetch(`${url}/-/ready`)).rejects.toThrow();
  });

  it.concurrent("crosspod run --chaos --prometheus scrapes pod-b itself, not its failover proxy, so its kill shows as up 0", async ({
    onTestFinished,
  }) => {
    const cli = startCli(
      [
        "run",
        "cross-pod-load",
        "--prometheus",
        "--prometheus-keep",
        "20s",
        "--connections",
        "12",
        "--rate",
        "5",
        "--duration",
        "6s",
        "--ramp",
        "1s",
        "--chaos",
        "kill-pod:pod-b@1s,restart-pod:pod-b@4s",
        ...sharedMachineFlags,
      ],
      onTestFinished,
    );
    const prometheusUrl = await keptPrometheusUrl(cli);
    // Clients and triggers went through the proxies: the targets line shows their addresses.
    const proxyOfPodB = /targets: .*pod-b (http:\/\/\S+?),/.exec(cli.stderr())?.[1];
    expect(proxyOfPodB, cli.stderr()).toBeDefined();
    const podB = await queryPrometheus(
      prometheusUrl,
      `min_over_time(up{job="${scrapeJobs.backend}", pod="pod-b"}[10m])`,
    );
    expect(podB.map((sample) => sample.value)).toEqual([0]);
    expect(podB[0]?.labels.instance).not.toBe(new URL(proxyOfPodB as string).host);
    const pods = await queryPrometheus(
      prometheusUrl,
      `count by (pod) (last_over_time(up{job="${scrapeJobs.backend}"}[10m]))`,
    );
    expect(pods.map((sample) => sample.labels.pod).sort()).toEqual(["pod-a", "pod-b", "pod-c"]);
    cli.child.kill("SIGINT");
    await cli.exited;
  });

  it.concurrent("crosspod run --prometheus --prometheus-keep leaves a Prometheus with the run's final figures until Ctrl-C", async ({
    onTestFinished,
  }) => {
    const out = join(workDir, "report.json");
    const connections = 30;
    const cli = startCli(
      [
        "run",
        "cross-pod-load",
        "--prometheus",
        "--prometheus-keep",
        "20s",
        "--connections",
        String(connections),
        "--rate",
        "5",
        "--duration",
        "3s",
        "--ramp",
        "1s",
        "--out",
        out,
        ...sharedMachineFlags,
      ],
      onTestFinished,
    );
    const prometheusUrl = await keptPrometheusUrl(cli);
    const report = reportSchema.parse(JSON.parse(readFileSync(out, "utf8")));
    const run = `{run="${report.run.id}"}`;
    const accepted = report.overall.triggers.accepted;
    expect(accepted).toBeGreaterThan(0);

    // The engine's /metrics is closed by now, so its series are stale: ask over the last minutes.
    const frames = await sampleValue(
      prometheusUrl,
      `sum(max_over_time(crosspod_frames_received_total${run}[10m]))`,
    );
    expect(frames).toBe(connections * accepted);
    expect(frames).toBe(report.overall.delivery.received);
    const connectionsSeen = await sampleValue(
      prometheusUrl,
      `sum(max_over_time(crosspod:connections${run}[10m]))`,
    );
    expect(connectionsSeen).toBe(connections);
    const framesPerSecond = await sampleValue(
      prometheusUrl,
      `sum(max_over_time(crosspod:frames_received:rate${run}[10m]))`,
    );
    expect(framesPerSecond).toBeGreaterThan(0);
    const lost = await sampleValue(prometheusUrl, `sum(last_over_time(crosspod:lost:total${run}[10m]))`);
    expect(lost).toBe(report.overall.delivery.lost);
    console.log(
      `crosspod:* series of ${report.run.id}: frames_received_total ${frames}, connections ${connectionsSeen}, frames_received:rate max ${framesPerSecond}, lost ${lost}`,
    );

    // The pods were dropped from the targets before the teardown, so the kept Prometheus does not read
    // them as down: their `up` series end (marked stale within a few scrapes) and no pod alert is raised.
    expect(await activeTargets(prometheusUrl)).toEqual([]);
    const upDeadline = Date.now() + 10_000;
    while ((await queryPrometheus(prometheusUrl, "up")).length > 0 && Date.now() < upDeadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(await queryPrometheus(prometheusUrl, "up")).toEqual([]);
    expect(
      await queryPrometheus(prometheusUrl, `ALERTS{alertname=~"CrosspodPodDown|CrosspodRedisDown"}`),
    ).toEqual([]);

    // Only Prometheus is left: the cluster is torn down and the engine's /metrics is closed.
    const children = descendantPids(cli.child.pid as number);
    expect(children).toHaveLength(1);
    const metricsUrl = /^load metrics: (\S+)$/m.exec(cli.stderr())?.[1];
    expect(metricsUrl, cli.stderr()).toBeDefined();
    await expect(fetch(metricsUrl as string)).rejects.toThrow();

    cli.child.kill("SIGINT");
    const exit = await cli.exited;
    expect(exit, cli.stdout()).toEqual({ code: reportVerdict(report).pass ? 0 : 99, signal: null });
    expect(cli.stdout()).toContain("prometheus: stopped (SIGINT)");
    expect(children.filter(isAlive)).toEqual([]);
    await expect(fetch(`${prometheusUrl}/-/ready`)).rejects.toThrow();
  });
});
