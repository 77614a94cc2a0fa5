// `crosspod run <profile>`: runs a workload profile against --targets, or against a local cluster it starts
// and tears down (also on Ctrl-C), with a live progress line, a console summary, optional JSON/HTML reports,
// and an exit code a release pipeline can gate on: 0 pass, 99 a threshold failed or the run is not valid.
import { randomBytes } from "node:crypto";
import type { Command } from "commander";
import { needsClientLinks, redisLinksFor } from "../../chaos/chaos-cluster.js";
import { ChaosScheduleRunner } from "../../chaos/chaos-schedule-runner.js";
import { ClusterError } from "../../cluster/cluster-error.js";
import { pinProcess } from "../../cluster/cpu-pinning.js";
import { freePort } from "../../cluster/free-port.js";
import { type LocalCluster, redisModes } from "../../cluster/local-cluster.js";
import { backendScrapeTarget, scrapeJobs } from "../../cluster/prometheus-config.js";
import { waitForFinalScrape } from "../../cluster/prometheus-final-scrape.js";
import type { PrometheusServer } from "../../cluster/prometheus-server.js";
import { renderJsonReport } from "../../core/report-json.js";
import type { Report } from "../../core/report-model.js";
import { type BrowserPages, openBrowserPages } from "../../engine/browser-pages.js";
import type { LiveDashboard } from "../../engine/dashboard/dashboard-server.js";
import { findK6 } from "../../engine/k6-runner.js";
import type { OutputProblem } from "../../engine/outputs/live-outputs.js";
import type { OutputSpec } from "../../engine/outputs/output-spec.js";
import { type NodeEngineResult, runNodeEngine } from "../../engine/run-node-engine.js";
import { progressWriter } from "../../engine/run-progress.js";
import { SegmentCoordinator } from "../../engine/segment-coordinator.js";
import { discoverTargets } from "../../engine/target-discovery.js";
import { renderConsoleSummary } from "../../report/console-summary.js";
import { reportVerdict } from "../../report/report-verdict.js";
import { CLIError, exitCodes } from "../cli-error.js";
import { chooseEngine, type EngineChoice, engineNames } from "../engine-choice.js";
import { onInterrupt } from "../interrupt.js";
import { runWithK6 } from "../k6-engine-run.js";
import { LocalStack } from "../local-stack.js";
import { addLocalClusterFlags, addProfileFlags, collect } from "../profile-flags.js";
import { keepPrometheus, type PrometheusAfterRun, prometheusAfterRun } from "../prometheus-keep.js";
import { startRunDashboard } from "../run-dashboard.js";
import { type RunConfig, resolveRunConfig } from "../run-options.js";
import {
  checkRunOutputs,
  liveOutputs,
  remoteWriteUrls,
  reportOutputs,
  runOutputSpecs,
  writeReportFiles,
} from "../run-outputs.js";
import { type RunTracing, startRunTracing } from "../run-tracing.js";
import { runSegmentRunners } from "../segment-runners.js";
import { soakWatchers, writeFinalCheckpoint } from "../soak-watchers.js";

/** Prometheus scrapes every second; a loaded machine can delay a scrape and a rule evaluation by seconds. */
const finalScrapeTimeoutMs = 15_000;

function newRunId(): string {
  return `run-${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, "")}-${randomBytes(3).toString("hex")}`;
}

/**
 * The pods Prometheus scrapes, by name: the local cluster's own pods (never the chaos proxies in front of
 * them, which answer for a dead pod with another pod's metrics), a target file's pods, or the names the
 * --targets pods give in their hello.
 */
async function scrapedPods(
  config: RunConfig,
  cluster: LocalCluster | undefined,
  targets: readonly string[],
): Promise<{ name: string; httpUrl: string }[]> {
  if (cluster) return cluster.pods.map((pod) => ({ name: pod.name, httpUrl: pod.httpUrl }));
  if (config.target) return config.target.pods.map((pod) => ({ name: pod.name, httpUrl: pod.httpUrl }));
  const found = await discoverTargets(targets);
  return found.map((target) => ({ name: target.pod, httpUrl: target.url }));
}

/** Holds the engine's /metrics open until Prometheus has the run's final figures (bounded). */
async function awaitFinalScrape(
  prometheus: PrometheusServer,
  runId: string,
  framesReceived: number,
  signal: AbortSignal,
): Promise<void> {
  const outcome = await waitForFinalScrape({
    prometheusUrl: prometheus.url,
    runId,
    framesReceived,
    timeoutMs: finalScrapeTimeoutMs,
    signal,
  });
  if (!outcome.scraped && !signal.aborted) {
    console.error(
      `prometheus: the run's final figures were not scraped within ${finalScrapeTimeoutMs / 1000} s, so its series may end short of the summary (last seen: ${outcome.lastSeen})`,
    );
  }
}

function describeGenerator(generator: NodeEngineResult["generator"]): string {
  const perConnection =
    generator.rssPerConnectionBytes === undefined
      ? "below what RSS can show (it did not grow while the connections opened)"
      : `${(generator.rssPerConnectionBytes / 1024).toFixed(1)} KiB`;
  return [
    `generator: ${generator.connectionsHeld} connections held`,
    `rss per connection ${perConnection}`,
    `peak rss ${(generator.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
    `cpu ${(generator.cpuFraction * 100).toFixed(0)}% of a core`,
    `event-loop lag p99 ${generator.eventLoopLagP99Ms.toFixed(1)} ms (max ${generator.eventLoopLagMaxMs.toFixed(1)} ms)`,
  ].join(" · ");
}

/** CROSSPOD_FARO_PORT fixes the collector's port, for a Prometheus outside the run to scrape. */
function faroPort(env: Record<string, string | undefined>): number {
  const text = env.CROSSPOD_FARO_PORT;
  if (text === undefined || text === "") return 0;
  if (!/^\d+$/.test(text) || Number(text) > 65_535) {
    throw new CLIError(
      `CROSSPOD_FARO_PORT="${text}" is invalid: expected a port number from 0 to 65535 (0 = any free port)`,
      "CROSSPOD_USAGE",
    );
  }
  return Number(text);
}

/** The engine for this run, refusing flags the chosen engine cannot honour. */
function chooseRunEngine(config: RunConfig): EngineChoice {
  const nodeOnlyFlags = [
    ...(config.browsers > 0 ? ["--browsers"] : []),
    ...(config.chaos.length > 0 ? ["--chaos"] : []),
    ...(config.prometheus ? ["--prometheus"] : config.metricsPort !== undefined ? ["--metrics-port"] : []),
    ...(config.outputs.some((output) => output.kind === "csv") ? ["--out csv="] : []),
    ...(config.dashboardPort !== undefined ? ["--dashboard"] : []),
  ];
  const choice = chooseEngine(config.engine, {
    k6Binary: findK6(),
    nodeOnlyFlags,
    profileName: config.profile.name,
  });
  console.error(`crosspod run ${config.profile.name}: engine ${choice.engine} (${choice.reason})`);
  if (choice.k6Hint) console.error(choice.k6Hint);
  return choice;
}

interface RunStack {
  tracing: RunTracing;
  /** The pod URLs the engine connects to (through the chaos proxies when there are some). */
  targets: readonly string[];
  metricsPort: number | undefined;
  prometheusStartedAtMs: number;
}

/** Starts what the run needs locally: the cluster (unless --targets/--target), Faro, Prometheus. */
async function startRunStack(
  stack: LocalStack,
  config: RunConfig,
  runId: string,
  signal: AbortSignal,
): Promise<RunStack> {
  const tracing = stack.adopt("tracing", await startRunTracing(config.traces, process.env));
  if (tracing.collectorUrl) console.error(`traces: collecting spans at ${tracing.collectorUrl}`);
  let targets = config.target ? config.target.pods.map((pod) => pod.httpUrl) : config.targets;
  if (targets.length === 0) {
    console.error(
      `starting a local cluster: ${config.redisMode === "sentinel" ? "Redis with Sentinel (primary, 2 replicas, 3 Sentinels)" : "redis-server"} + ${config.replicas} replicas, delivery ${config.delivery} …`,
    );
    // Pod chaos puts a load balancer (fault proxy) before each pod, so clients of a dead pod move to
    // the others; faults on a Redis link need a proxy there.
    const chaosLinks =
      config.chaos.length > 0
        ? { clientLinks: needsClientLinks(config.chaos), redisLinks: redisLinksFor(config.chaos) }
        : undefined;
    const cluster = await stack.startCluster(
      {
        replicas: config.replicas,
        delivery: config.delivery,
        redisMode: config.redisMode,
        signal,
        env: tracing.podEnv,
        ...(config.cpus ? { cpus: config.cpus.cluster } : {}),
      },
      chaosLinks,
    );
    // Children started from here on (k6, browsers) inherit the generator's CPUs.
    if (config.cpus) pinProcess(config.cpus.generator);
    targets = stack.chaos?.targetUrls ?? cluster.pods.map((pod) => pod.httpUrl);
  }
  const metricsPort = config.metricsPort === 0 ? await freePort() : config.metricsPort;
  if (signal.aborted) return { tracing, targets, metricsPort, prometheusStartedAtMs: 0 };
  // Before Prometheus, so it scrapes the collector too.
  if (config.browsers > 0) {
    const faro = await stack.startFaro({ port: faroPort(process.env) });
    faro.registry.setDefaultLabels({ run: runId });
    console.error(`faro: ${faro.url} (browser metrics ${faro.metricsUrl})`);
  }
  if (!config.prometheus || metricsPort === undefined) {
    return { tracing, targets, metricsPort, prometheusStartedAtMs: 0 };
  }
  const prometheus = await stack.startPrometheus({
    scrapeTargets: [
      { job: scrapeJobs.engine, targets: [`http://127.0.0.1:${metricsPort}/metrics`] },
      backendScrapeTarget(await scrapedPods(config, stack.cluster, targets)),
      ...(stack.faro ? [{ job: scrapeJobs.browser, targets: [stack.faro.metricsUrl] }] : []),
    ],
  });
  const after = prometheusAfterRun(config.prometheusKeepSeconds, process.stdout.isTTY === true).keep
    ? "kept after the run"
    : "stops when crosspod exits";
  console.error(`prometheus: ${prometheus.url} (scraping the run and the pods; ${after})`);
  return { tracing, targets, metricsPort, prometheusStartedAtMs: Date.now() };
}

/** Headless console pages over the pods, closed with the stack. */
async function openRunBrowsers(
  stack: LocalStack,
  config: RunConfig,
  targets: readonly string[],
): Promise<BrowserPages | undefined> {
  if (config.browsers === 0) return undefined;
  const pods = stack.cluster
    ? stack.cluster.pods.map((pod) => ({ name: pod.name, httpUrl: pod.httpUrl }))
    : targets.map((url) => ({ name: url, httpUrl: url }));
  console.error(`opening ${config.browsers} headless Chromium console pages over the pods …`);
  const pages = await openBrowserPages({ pods, count: config.browsers, collectorUrl: stack.faro?.url });
  return stack.adopt("browser pages", pages);
}

interface EngineOutcome {
  report: Report;
  /** The Node engine's own figures; undefined for k6. */
  generator: NodeEngineResult["generator"] | undefined;
  /** k6's exit code (99 = a k6 threshold failed); 0 for the Node engine. */
  k6ExitCode: number;
  /** Live outputs (--out csv, prometheus-rw) that failed during the run. */
  outputProblems?: OutputProblem[];
}

/** --runners: the run split over engine processes here, merged into one report. */
async function runSplit(
  config: RunConfig,
  stack: LocalStack,
  run: RunStack & { runId: string; signal: AbortSignal },
): Promise<EngineOutcome> {
  const redisUrl = config.split.coordinateUrl ?? stack.cluster?.redisUrl;
  if (redisUrl === undefined) throw new CLIError("--runners needs --coordinate", "CROSSPOD_USAGE");
  console.error(
    `splitting the run over ${config.split.runners} runners (execution segments), run ${run.runId}`,
  );
  const report = await runSegmentRunners({
    runId: run.runId,
    runners: config.split.runners,
    profile: config.profile,
    targets: run.targets,
    targetFile: config.targetFile,
    redisUrl,
    saturationLimits: config.saturationLimits,
    signal: run.signal,
    log: (line) => console.error(line),
  });
  return { report, generator: undefined, k6ExitCode: 0 };
}

async function runEngine(
  choice: EngineChoice,
  config: RunConfig,
  stack: LocalStack,
  run: RunStack & {
    runId: string;
    signal: AbortSignal;
    outputs: readonly OutputSpec[];
    dashboard: LiveDashboard | undefined;
  },
): Promise<EngineOutcome> {
  const { runId, signal, targets, metricsPort } = run;
  if (choice.engine === "k6") {
    const { report, exitCode } = await runWithK6({
      runId,
      profile: config.profile,
      targets,
      ...(config.targetJson ? { targetJson: config.targetJson } : {}),
      redisUrl: stack.cluster?.redisUrl ?? process.env.REDIS_URL,
      k6Binary: choice.k6Binary,
      prometheusRemoteWrite: remoteWriteUrls(run.outputs)[0],
      k6Flags: config.k6Flags ?? [],
      signal,
    });
    return { report, generator: undefined, k6ExitCode: exitCode };
  }
  if (config.split.runners > 0) return runSplit(config, stack, run);
  const progress = progressWriter(process.stderr);
  const live = liveOutputs(runId, run.outputs, run.dashboard?.addReading);
  const outputProblems: OutputProblem[] = [];
  const { prometheus, chaos, cluster } = stack;
  const role = config.split.segment;
  const meeting = role ? new SegmentCoordinator({ ...role, signal }) : undefined;
  try {
    const result = await runNodeEngine({
      ...(meeting ? { segment: meeting } : {}),
      runId,
      profile: config.profile,
      targets,
      ...(config.target ? { target: config.target } : {}),
      thresholds: config.profile.thresholds,
      saturationLimits: config.saturationLimits,
      ...(chaos ? { chaos: new ChaosScheduleRunner(config.chaos, chaos.controller) } : {}),
      ...(metricsPort !== undefined ? { metricsPort } : {}),
      ...(run.tracing.tracer ? { tracer: run.tracing.tracer } : {}),
      ...soakWatchers(config, cluster, process.env),
      ...(prometheus
        ? {
            beforeMetricsClose: ({ framesReceived }) =>
              awaitFinalScrape(prometheus, runId, framesReceived, signal),
          }
        : {}),
      settings: {
        engine: choice.engine,
        ...(cluster
          ? {
              cluster: `local, ${config.replicas} replicas, delivery ${config.delivery}${config.redisMode === "sentinel" ? ", redis sentinel" : ""}`,
            }
          : {}),
        ...(cluster && config.cpus
          ? { cpus: `generator ${config.cpus.generator}, cluster ${config.cpus.cluster} (taskset)` }
          : {}),
        ...(config.chaosText ? { chaos: config.chaosText } : {}),
        ...(config.targetFile ? { targetFile: config.targetFile } : {}),
      },
      signal,
      onProgress: (snapshot) => {
        progress.update(snapshot);
        run.dashboard?.setProgress(snapshot);
      },
      onStarted: ({ targets: found, metricsUrl, registry }) => {
        live.start(registry);
        console.error(`targets: ${found.map((target) => `${target.pod} ${target.url}`).join(", ")}`);
        if (metricsUrl) console.error(`load metrics: ${metricsUrl}`);
      },
    });
    if (meeting) await meeting.storeReport(renderJsonReport(result.report));
    return { report: result.report, generator: result.generator, k6ExitCode: 0, outputProblems };
  } finally {
    progress.end();
    outputProblems.push(...(await live.stop()));
    await meeting?.close();
  }
}

/** Browser figures into the report, the report files, the console summary; returns the exit code. */
async function publishOutcome(
  config: RunConfig,
  stack: LocalStack,
  extras: {
    browserPages: BrowserPages | undefined;
    tracing: RunTracing;
    outputs: readonly OutputSpec[];
    dashboard: LiveDashboard | undefined;
  },
  { report, generator, k6ExitCode, outputProblems = [] }: EngineOutcome,
): Promise<number> {
  if (extras.browserPages) {
    await extras.browserPages.settle(report.overall.triggers.accepted);
    report.browser = extras.browserPages.figures();
  }
  const traces = await extras.tracing.slowestThreats();
  if (traces !== undefined) report.traces = traces;
  await writeFinalCheckpoint(config, report);
  // Report files first (their failures are collected, never thrown), so the summary always prints and
  // ends the output with its verdict line.
  const files = await writeReportFiles(report, extras.outputs);
  if (generator) console.log(describeGenerator(generator));
  if (stack.faro) console.log(`browser metrics: ${stack.faro.metricsUrl} (closed with the run)`);
  const verdict = reportVerdict(report).pass && k6ExitCode === 0 ? exitCodes.ok : exitCodes.thresholdsFailed;
  const exitCode = reportOutputs(
    extras.outputs,
    files.written,
    [...outputProblems, ...files.problems],
    verdict,
  );
  await extras.dashboard?.finish(report);
  process.stdout.write(renderConsoleSummary(report, { color: process.stdout.isTTY === true }));
  return exitCode;
}

export async function runProfile(config: RunConfig): Promise<void> {
  const choice = chooseRunEngine(config);
  const outputs = runOutputSpecs(config);
  if (choice.engine === "k6" && remoteWriteUrls(outputs).length > 1) {
    throw new CLIError("k6 remote-writes to one URL: give --out prometheus-rw= once", "CROSSPOD_USAGE");
  }
  await checkRunOutputs(outputs);
  const interrupt = onInterrupt(
    "crosspod run",
    (signal) => `${signal}, stopping the run and tearing down (Ctrl-C again to force)`,
  );
  const { signal } = interrupt;
  const stack = new LocalStack();
  const runId = config.split.segment?.runId ?? newRunId();
  let afterRun: PrometheusAfterRun | undefined;
  let prometheusStartedAtMs = 0;
  try {
    const run = await startRunStack(stack, config, runId, signal);
    prometheusStartedAtMs = run.prometheusStartedAtMs;
    if (signal.aborted) return;
    const browserPages = await openRunBrowsers(stack, config, run.targets);
    const dashboard = await startRunDashboard(stack, config, runId);
    const outcome = await runEngine(choice, config, stack, { ...run, runId, signal, outputs, dashboard });
    const exitCode = await publishOutcome(
      config,
      stack,
      { browserPages, tracing: run.tracing, outputs, dashboard },
      outcome,
    );
    process.exitCode = signal.aborted ? exitCodes.interrupted : exitCode;
    if (stack.prometheus && !signal.aborted) {
      afterRun = prometheusAfterRun(config.prometheusKeepSeconds, process.stdout.isTTY === true);
    }
  } catch (error) {
    // Ctrl-C while the cluster starts fails the start; that is the interruption, not an error.
    if (!(signal.aborted && error instanceof ClusterError)) throw error;
    process.exitCode = exitCodes.interrupted;
  } finally {
    await stack.close({ keepPrometheus: afterRun?.keep === true });
    interrupt.dispose();
  }
  if (stack.prometheus && afterRun?.keep) {
    await keepPrometheus({
      prometheus: stack.prometheus,
      runId,
      runSeconds: (Date.now() - prometheusStartedAtMs) / 1000,
      seconds: afterRun.seconds,
      print: (line) => console.log(line),
    });
  } else if (afterRun) {
    console.log(
      "prometheus: stopped with the run (stdout is not a terminal; --prometheus-keep 10m keeps it after the run)",
    );
  }
}

export function registerRunCommand(program: Command): void {
  addLocalClusterFlags(
    addProfileFlags(
      program
        .command("run")
        .description(
          "Run a workload profile (cross-pod-load, soak, spike) and judge delivery, order and latency",
        )
        .argument("<profile>", "cross-pod-load | soak | spike, or a name defined by --profile-file")
        .option("--engine <engine>", `load engine: ${engineNames.join(" | ")}`, "auto")
        .option(
          "--targets <urls>",
          "comma-separated pod base URLs (http://host:port); default: start a local cluster",
        )
        .option(
          "--target <file>",
          "target file (YAML or JSON) for another backend: adapter (generic-json, socketio, crosspod), pods, trigger and frame fields",
        ),
    ),
  )
    .option("--redis <mode>", `local cluster Redis: ${redisModes.join(" | ")} (default single)`)
    .option(
      "--out <output>",
      "repeatable: json=FILE (the report; a bare FILE too), csv=FILE (per-pod time series), prometheus-rw=URL (remote write)",
      collect,
      [],
    )
    .option(
      "--dashboard [port]",
      "serve a live dashboard on 127.0.0.1 (any free port, or PORT): fan-out per pod, frames/s, connections, chaos, and the report at the end",
    )
    .option("--html <file>", "write the self-contained HTML report here")
    .option("--metrics-port <port>", "serve load-side Prometheus metrics on this port (0 = any free port)")
    .option("--profile-file <path>", "YAML or JSON profile fields overriding (or defining) the profile")
    .option(
      "--prometheus",
      "start Prometheus scraping the run and the pods; prints its URL and, on a terminal, keeps it after the run until Ctrl-C",
    )
    .option(
      "--prometheus-keep <duration>",
      "with --prometheus: keep Prometheus this long after the run (e.g. 10m, at most 24h), also without a terminal",
    )
    .option(
      "--max-generator-cpu <percent>",
      "generator CPU (% of one core) above which the run is invalid",
      "80",
    )
    .option(
      "--generator-cpus <list>",
      "local cluster: CPUs for the load generator (taskset list, e.g. 1); with --cluster-cpus, or off (default on 2-15 CPUs: the last quarter)",
    )
    .option(
      "--cluster-cpus <list>",
      "local cluster: CPUs for the pods and Redis (e.g. 0); default: the other CPUs",
    )
    .option(
      "--max-generator-lag <ms>",
      "generator event-loop lag p99 above which the run is invalid (default: 10, or a tenth of the tightest latency threshold when larger)",
    )
    .option("--prometheus-rw <url>", "k6 engine: remote-write k6's metrics to this Prometheus endpoint")
    .option(
      "--chaos <schedule>",
      "chaos on the local cluster, timed from the first trigger: kill-pod:pod-b@10s,restart-pod:pod-b@15s, kill-redis@5s..8s, latency:redis@pod-a=200ms±20ms@3s..6s; recurring: restart-pod:*@every 10m (each pod in turn)",
    )
    .option(
      "--traces",
      "collect the engine's and the local pods' spans on loopback (also sent to OTEL_EXPORTER_OTLP_ENDPOINT when set) and report the slowest sampled threats",
    )
    .option(
      "--drift",
      "sample drift (pod RSS, heap, lag, connections, Redis memory and stream length, fan-out p99 per window); on when a threshold judges drift, as the soak profile's do",
    )
    .option(
      "--drift-warmup <d>",
      "drift: time of the trigger phase not judged (default a fifth, at most 10m)",
    )
    .option("--drift-window <d>", "drift: width of a fan-out p99 window (default a tenth of the duration)")
    .option("--drift-interval <d>", "drift: how often pods and Redis are sampled (default about 120 samples)")
    .option(
      "--checkpoint <dir>",
      "write the partial report to DIR/checkpoint.json while the run goes on (and the final one at the end)",
    )
    .option("--checkpoint-every <d>", "with --checkpoint: how often (default 5m)")
    .option(
      "--browsers <n>",
      "headless Chromium console pages beside the load, measuring render latency per pod",
    )
    .option(
      "--runners <n>",
      "split the run over N engine processes here (execution segments) and merge them into one report",
    )
    .option(
      "--segment <i/N>",
      "run only segment i of N (k6 execution-segment semantics; or k6's from:to); with --run-id and --coordinate",
    )
    .option("--run-id <id>", "with --segment: the run id every runner of the split run shares")
    .option("--coordinate <redis-url>", "with --segment/--runners: the Redis the runners meet in")
    .action(async (profileName: string, raw: Record<string, unknown>) => {
      await runProfile(resolveRunConfig(profileName, raw, process.env));
    });
}
