// The Node engine's run: discover targets -> ramp -> wait until connected -> trigger for the duration ->
// drain (publishing stopped, until every connection saw the head seq) -> settle the delivery checkers
// against the published log -> close -> report. Everything it opens it closes, also on abort.

import type { Target } from "../core/adapters/protocol-adapter.js";
import { ChaosImpactRecorder, type ChaosTimeline, chaosImpacts } from "../core/chaos-impact.js";
import { LatencyHistogram } from "../core/latency-histogram.js";
import type { Profile } from "../core/profiles.js";
import type { Report, RunEvent } from "../core/report-model.js";
import { buildReport, TimeSeriesRecorder } from "../core/run-recorder.js";
import { epochNowMs } from "./clock.js";
import { ConnectionPool } from "./connection-pool.js";
import {
  defaultSaturationLimits,
  type GeneratorFigures,
  GeneratorHealth,
  type SaturationLimits,
  saturationReasons,
} from "./generator-health.js";
import { LoadMetrics } from "./load-metrics.js";
import { type MetricsServer, startMetricsServer } from "./metrics-server.js";
import { PublishedLog } from "./published-log.js";
import type { BackoffPolicy } from "./reconnect-backoff.js";
import type { RunPhase, RunProgress } from "./run-progress.js";
import { type DiscoveredTarget, discoverPods, discoverTargets, TargetError } from "./target-discovery.js";
import { TriggerPublisher } from "./trigger-publisher.js";

export interface NodeEngineOptions {
  runId: string;
  profile: Profile;
  /** Pod base URLs, http://host:port, of the reference backend; ignored when `target` is given. */
  targets: readonly string[];
  /** Another backend: its protocol adapter and pods (from a target file). */
  target?: Target;
  /** Thresholds to evaluate (the profile's, with command-line overrides applied). */
  thresholds: Record<string, string[]>;
  /** Serve load-side metrics on this port (0 = any free port) for the length of the run. */
  metricsPort?: number;
  /** Extra facts recorded in the report's settings (engine choice, delivery mode asked for). */
  settings?: Record<string, string | number | boolean>;
  backoff?: BackoffPolicy;
  /** When the generator counts as saturated and the run invalid. */
  saturationLimits?: SaturationLimits;
  /** Per trigger request; a trigger without a reply by then counts as failed ("timeout"). Default 10 s. */
  triggerTimeoutMs?: number;
  /** How long to wait for every connection's hello after the ramp. Default max(10 s, ramp). */
  connectTimeoutSeconds?: number;
  /** A chaos schedule run alongside the trigger phase; its events and their impact go into the report. */
  chaos?: ChaosTimeline;
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
  /** Called once targets are known and /metrics listens, before the ramp. */
  onStarted?: (info: { targets: DiscoveredTarget[]; metricsUrl: string | undefined }) => void;
  /**
   * Called once the delivery checkers have settled (not after an abort), while /metrics still serves the
   * final figures; the run waits for it before closing, e.g. until Prometheus has scraped them.
   */
  beforeMetricsClose?: (final: { framesReceived: number }) => Promise<void>;
}

export interface NodeEngineResult {
  report: Report;
  generator: GeneratorFigures & {
    connectionsHeld: number;
    /** (RSS with all connections open − RSS before the ramp) / connections open. */
    rssPerConnectionBytes: number | undefined;
  };
}

export async function runNodeEngine(options: NodeEngineOptions): Promise<NodeEngineResult> {
  const { profile, runId, signal } = options;
  const limits = options.saturationLimits ?? defaultSaturationLimits;
  const startedAtMs = epochNowMs();
  const events: RunEvent[] = [];
  const event = (item: Omit<RunEvent, "t">) =>
    events.push({ t: Math.max(0, (epochNowMs() - startedAtMs) / 1000), ...item });
  const validityReasons: string[] = [];
  let phase: RunPhase = "discover";
  const enter = (next: RunPhase, detail?: string) => {
    phase = next;
    event({ kind: "phase", name: next, ...(detail ? { detail } : {}) });
  };

  enter("discover");
  const adapter = options.target?.adapter;
  const accounting = adapter?.accounting ?? "seq";
  const targets = options.target
    ? await discoverPods(options.target.adapter, options.target.pods)
    : await discoverTargets(options.targets);
  const triggerTargets =
    profile.triggerPod === "round-robin"
      ? targets
      : targets.filter((target) => target.pod === profile.triggerPod);
  if (triggerTargets.length === 0) {
    throw new TargetError(
      `trigger pod "${profile.triggerPod}" (--trigger-pod) is not among the targets (pods: ${targets.map((t) => t.pod).join(", ")})`,
    );
  }

  const published = new PublishedLog();
  const chaosRecorder = options.chaos ? new ChaosImpactRecorder(startedAtMs) : undefined;
  let pool: ConnectionPool | undefined;
  const metrics = new LoadMetrics(runId, () => pool?.podCounts() ?? []);
  pool = new ConnectionPool({
    runId,
    published,
    targets,
    connections: profile.connections,
    rampSeconds: profile.rampSeconds,
    accounting,
    ...(adapter ? { adapter } : {}),
    metrics,
    onEvent: event,
    ...(options.backoff ? { backoff: options.backoff } : {}),
    ...(chaosRecorder ? { chaos: chaosRecorder } : {}),
  });
  const connections = pool;
  const publisher = new TriggerPublisher({
    adapter: connections.adapter,
    runId,
    publisherId: `${runId}-node`,
    published,
    targets: triggerTargets,
    onFirstFailure: (pod, cause) =>
      event({ kind: "error", name: "trigger-failed", target: pod, detail: cause }),
    ...(options.triggerTimeoutMs !== undefined ? { requestTimeoutMs: options.triggerTimeoutMs } : {}),
    ratePerSecond: profile.triggerRate,
    durationSeconds: profile.durationSeconds,
    pod: (name) => connections.pod(name),
    lateStartToleranceMs: limits.eventLoopLagP99Ms,
  });
  for (const target of targets) connections.pod(target.pod);

  let metricsServer: MetricsServer | undefined;
  const health = new GeneratorHealth();
  const timeSeries = new TimeSeriesRecorder(startedAtMs);
  const totalSeconds = profile.rampSeconds + profile.durationSeconds + profile.drainSeconds;
  let last = { atMs: startedAtMs, frames: 0, accepted: 0, errors: 0 };
  const errorCount = () =>
    connections.connectErrorCount + connections.disconnects + connections.invalidFrames + publisher.failed;
  const runP99 = (): number | undefined => {
    const merged = new LatencyHistogram();
    for (const pod of connections.pods.values()) pod.mergeFanoutInto(merged);
    return merged.count > 0 ? merged.percentileMs(99) : undefined;
  };
  const tick = (final = false) => {
    const atMs = epochNowMs();
    const second = connections.takeSecond();
    const frames = connections.framesReceived;
    const errors = errorCount();
    const framesPerSecond = ((frames - last.frames) * 1000) / Math.max(1, atMs - last.atMs);
    timeSeries.sample(
      {
        connections: connections.connected,
        triggers: publisher.accepted - last.accepted,
        framesPerSecond,
        fanoutP99Ms: second.count > 0 ? second.percentileMs(99) : 0,
        errors: errors - last.errors,
      },
      atMs,
    );
    last = { atMs, frames, accepted: publisher.accepted, errors };
    if (chaosRecorder) {
      const totals = { duplicates: 0, outOfOrder: 0 };
      for (const pod of connections.pods.values()) {
        totals.duplicates += pod.duplicates;
        totals.outOfOrder += pod.outOfOrder;
      }
      chaosRecorder.second(atMs, second, totals);
    }
    health.sampleMemory();
    if (final) return;
    options.onProgress?.({
      phase,
      elapsedSeconds: (atMs - startedAtMs) / 1000,
      totalSeconds,
      connections: connections.connected,
      targetConnections: profile.connections,
      triggersAccepted: publisher.accepted,
      triggersTotal: Math.round(profile.triggerRate * profile.durationSeconds),
      framesPerSecond,
      fanoutP99Ms: runP99(),
      errors,
    });
  };
  const ticker = setInterval(() => tick(), 1000);
  let abortedDuring: RunPhase | undefined;
  const onAbort = () => {
    abortedDuring = phase;
    publisher.stop();
  };
  signal?.addEventListener("abort", onAbort, { once: true });

  let rssPerConnectionBytes: number | undefined;
  let generator: GeneratorFigures | undefined;
  let connectionsHeld = 0;
  try {
    if (options.metricsPort !== undefined) {
      metricsServer = await startMetricsServer(metrics.registry, options.metricsPort);
    }
    options.onStarted?.({ targets, metricsUrl: metricsServer?.url });

    const rssBeforeRamp = health.sampleMemory();
    enter("ramp", `${profile.connections} connections over ${profile.rampSeconds} s`);
    await connections.open(signal);

    enter("connect");
    const connectTimeoutSeconds = options.connectTimeoutSeconds ?? Math.max(10, profile.rampSeconds);
    const allConnected = await connections.waitAllConnected(connectTimeoutSeconds * 1000, signal);
    connectionsHeld = connections.connected;
    // With few connections the growth hides in pages already mapped: no figure rather than a false 0.
    const rssGrowthBytes = health.sampleMemory() - rssBeforeRamp;
    if (connectionsHeld > 0 && rssGrowthBytes > 0) rssPerConnectionBytes = rssGrowthBytes / connectionsHeld;
    if (!allConnected && !signal?.aborted) {
      const causes = [...connections.connectErrors].map(([cause, count]) => `${cause}: ${count}`).join(", ");
      validityReasons.push(
        `only ${connectionsHeld} of ${profile.connections} connections were open after ${connectTimeoutSeconds} s${causes ? ` (${causes})` : ""}`,
      );
    }

    if (!signal?.aborted) {
      enter("trigger", `${profile.triggerRate}/s for ${profile.durationSeconds} s to ${profile.triggerPod}`);
      health.restart();
      options.chaos?.start((chaos) => {
        const t = Math.max(0, (chaos.atMs - startedAtMs) / 1000);
        if (!chaos.ok) {
          events.push({
            t,
            kind: "error",
            name: chaos.action,
            target: chaos.target,
            detail: `failed: ${chaos.error}`,
          });
          return;
        }
        events.push({ t, kind: "chaos", name: chaos.action, target: chaos.target, detail: chaos.detail });
        chaosRecorder?.event(chaos);
        metrics.recordChaosEvent(chaos.action, chaos.target, chaos.atMs);
      });
      await publisher.run();
      // An action under way (a restart waiting for readiness) ends before the drain judges anyone.
      await options.chaos?.stop();
    }

    const headSeq = published.headSeq;
    const heads = published.heads;
    if (!signal?.aborted && accounting === "publisher" && heads.size > 0) {
      const lanes = `the last probe of all ${heads.size} publisher lanes`;
      enter("drain", `until every connection has ${lanes}, at most ${profile.drainSeconds} s`);
      const drained = await connections.waitForProbes(heads, profile.drainSeconds * 1000, signal);
      if (!drained) {
        event({ kind: "info", name: "drain-timeout", detail: `not every connection saw ${lanes}` });
      }
    } else if (!signal?.aborted && headSeq !== undefined) {
      enter("drain", `until every connection has seq ${headSeq}, at most ${profile.drainSeconds} s`);
      // The head can still rise while draining: a trigger without a reply shows up in a frame.
      const head = () => published.headSeq ?? headSeq;
      const drained = await connections.waitForHead(head, profile.drainSeconds * 1000, signal);
      if (!drained) {
        event({ kind: "info", name: "drain-timeout", detail: `not every connection reached seq ${head()}` });
      }
    }

    generator = health.figures();
    enter("finish");
    connections.finish(published.sorted(), published.headSeq);
    if (!signal?.aborted && options.beforeMetricsClose) {
      let framesReceived = 0;
      for (const counts of connections.podCounts()) framesReceived += counts.framesReceived;
      await options.beforeMetricsClose({ framesReceived });
    }
  } finally {
    clearInterval(ticker);
    signal?.removeEventListener("abort", onAbort);
    publisher.stop();
    await options.chaos?.stop();
    await connections.close();
    await metricsServer?.close();
  }
  tick(true);
  health.stop();

  generator ??= health.figures();
  validityReasons.push(...saturationReasons(generator, publisher.lateStarts, publisher.sent, limits));
  if (publisher.failed > 0) {
    const causes = Object.entries(publisher.failuresByCause())
      .map(([cause, count]) => `${cause}: ${count}`)
      .join(", ");
    const seen =
      published.confirmedByFrames > 0
        ? `; ${published.confirmedByFrames} of them reached clients anyway`
        : "";
    const failures = `${publisher.failed} of ${publisher.sent} triggers failed (${causes})${seen}`;
    // Under chaos a trigger to a killed pod or a Redis that is down fails by design: the delivery
    // figures judge the run, and the failures are on the timeline rather than making the run invalid.
    if (chaosRecorder && chaosRecorder.events.length > 0)
      event({ kind: "info", name: "triggers-failed", detail: failures });
    else validityReasons.push(failures);
  }
  if (signal?.aborted) validityReasons.push(`run interrupted during the ${abortedDuring ?? phase} phase`);
  if (connections.recoveredSessions > 0) {
    event({
      kind: "info",
      name: "sessions-recovered",
      detail: `${connections.recoveredSessions} reconnects resumed their session (missed frames replayed)`,
    });
  }
  event({
    kind: "info",
    name: "generator",
    detail: [
      `cpu ${(generator.cpuFraction * 100).toFixed(0)}% of a core`,
      `event-loop lag p99 ${generator.eventLoopLagP99Ms.toFixed(1)} ms`,
      `peak rss ${(generator.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
      rssPerConnectionBytes === undefined
        ? undefined
        : `${(rssPerConnectionBytes / 1024).toFixed(1)} KiB rss per connection`,
      `late trigger starts ${publisher.lateStarts}`,
    ]
      .filter(Boolean)
      .join(", "),
  });

  const endedAtMs = epochNowMs();
  const publishedTriggers = published.sorted();
  const chaos = chaosRecorder
    ? chaosImpacts({
        runStartMs: startedAtMs,
        runEndMs: endedAtMs,
        events: chaosRecorder.events,
        outages: chaosRecorder.outages(),
        seconds: chaosRecorder.seconds,
        settle: (fromMs, toMs) =>
          connections.settle(
            publishedTriggers.filter(
              (trigger) => trigger.acceptedAtMs >= fromMs && trigger.acceptedAtMs < toMs,
            ),
            published.headSeq,
          ),
      })
    : [];
  const delivery = targets.every((target) => target.resume)
    ? "recover"
    : targets.some((t) => t.resume)
      ? "unknown"
      : "pubsub";
  const report = buildReport({
    run: {
      id: runId,
      profile: profile.name,
      engine: "node",
      startedAt: new Date(startedAtMs).toISOString(),
      endedAt: new Date(endedAtMs).toISOString(),
      durationSeconds: (endedAtMs - startedAtMs) / 1000,
      targets: targets.map((target) => ({ pod: target.pod, url: target.url })),
      delivery,
      accounting,
      settings: {
        connections: profile.connections,
        rampSeconds: profile.rampSeconds,
        triggerRate: profile.triggerRate,
        durationSeconds: profile.durationSeconds,
        drainSeconds: profile.drainSeconds,
        triggerPod: profile.triggerPod,
        ...(adapter ? { adapter: adapter.kind } : {}),
        ...options.settings,
      },
    },
    pods: Object.fromEntries([...connections.pods].map(([name, pod]) => [name, pod.recorder])),
    matrix: [...connections.pods.values()].flatMap((pod) => pod.matrixCells()),
    timeSeries: timeSeries.points(),
    // Chaos events carry the time they were issued and arrive once done, so they may be out of order.
    events: [...events].sort((a, b) => a.t - b.t),
    chaos,
    thresholds: options.thresholds,
    validityReasons,
  });
  return { report, generator: { ...generator, connectionsHeld, rssPerConnectionBytes } };
}
