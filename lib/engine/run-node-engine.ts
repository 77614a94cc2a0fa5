// The Node engine's run, as named phases (each its own module in ./phases): discover targets -> ramp ->
// barrier (every connection's hello) -> trigger for the duration -> drain (publishing stopped, until every
// connection saw the head) -> settle the delivery checkers against the published log -> validity -> report.
// A sampler records the time series throughout. Everything it opens it closes, also when a phase throws.

import type { Registry, RegistryContentType } from "prom-client";
import type { Target } from "../core/adapters/protocol-adapter.js";
import { ChaosImpactRecorder, type ChaosTimeline } from "../core/chaos-impact.js";
import { closeAll } from "../core/close-all.js";
import { epochNowMs } from "../core/epoch-clock.js";
import type { ExecutionSegment } from "../core/execution-segment.js";
import type { Profile } from "../core/profiles.js";
import type { BackoffPolicy } from "../core/reconnect-backoff.js";
import type { Report } from "../core/report-model.js";
import { TimeSeriesRecorder } from "../core/run-recorder.js";
import { type SegmentTuple, stripedItems } from "../core/segment-striping.js";
import { type DiscoveredTarget, triggerTargets as selectTriggerTargets } from "../core/target-discovery.js";
import type { SpanTracer } from "../tracing/span-tracer.js";
import { ConnectionPool } from "./connection-pool.js";
import type { DriftSampler } from "./drift-sampler.js";
import {
  defaultSaturationLimits,
  type GeneratorFigures,
  GeneratorHealth,
  type SaturationLimits,
} from "./generator-health.js";
import { LoadMetrics } from "./load-metrics.js";
import { type MetricsServer, startMetricsServer } from "./metrics-server.js";
import { buildNodeReport, nodeRunHeader } from "./node-engine-report.js";
import { partialReport } from "./partial-report.js";
import { type BarrierOutcome, barrierPhase } from "./phases/barrier-phase.js";
import { drainPhase } from "./phases/drain-phase.js";
import { rampPhase } from "./phases/ramp-phase.js";
import { RunTimeline } from "./phases/run-timeline.js";
import { RunSampler } from "./phases/sample-phase.js";
import {
  type SegmentMeeting,
  segmentPublishedPhase,
  segmentStartPhase,
} from "./phases/segment-sync-phase.js";
import { settlePhase } from "./phases/settle-phase.js";
import { triggerPhase } from "./phases/trigger-phase.js";
import { judgeValidity } from "./phases/validity-phase.js";
import { PublishedLog } from "./published-log.js";
import { ReceiveTracing } from "./receive-tracing.js";
import type { RunCheckpoints } from "./run-checkpoint.js";
import { registerRunMetrics } from "./run-metrics.js";
import type { RunPhase, RunProgress } from "./run-progress.js";
import { discoverPods, discoverTargets } from "./target-discovery.js";
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
  /** When tracing is on: trigger spans with traceparent on each request, receive spans per pod. */
  tracer?: SpanTracer;
  /**
   * This process runs one execution segment of a split run: its share of the connections and triggers,
   * meeting the other runners through this coordinator (see phases/segment-sync-phase.ts).
   */
  segment?: SegmentMeeting & { readonly segment: ExecutionSegment; readonly tuple: SegmentTuple };
  /** Samples pods and Redis during the trigger phase; its figures become the report's drift section. */
  drift?: DriftSampler;
  /** Writes the partial report every few minutes while the run goes on. */
  checkpoints?: RunCheckpoints;
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
  /** Called once targets are known and /metrics listens, before the ramp. */
  onStarted?: (info: {
    targets: DiscoveredTarget[];
    metricsUrl: string | undefined;
    /** The load metrics, for outputs that read them live (--out csv, remote write, the dashboard). */
    registry: Registry<RegistryContentType>;
  }) => void;
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

/** What a run is made of once its targets are known; built before anything opens. */
interface NodeRun {
  options: NodeEngineOptions;
  timeline: RunTimeline;
  targets: DiscoveredTarget[];
  pool: ConnectionPool;
  publisher: TriggerPublisher;
  published: PublishedLog;
  metrics: LoadMetrics;
  chaosRecorder: ChaosImpactRecorder | undefined;
  receiveTracing: ReceiveTracing | undefined;
  limits: SaturationLimits;
  /** Connections this process opens and triggers it sends: the profile's, or its segment's share. */
  connections: number;
  triggers: number;
}

export async function runNodeEngine(options: NodeEngineOptions): Promise<NodeEngineResult> {
  const { signal } = options;
  const timeline = new RunTimeline(epochNowMs(), epochNowMs);
  timeline.enter("discover");
  const targets = options.target
    ? await discoverPods(options.target.adapter, options.target.pods)
    : await discoverTargets(options.targets);
  const run = assembleRun(options, timeline, targets);
  const { pool, publisher } = run;

  const health = new GeneratorHealth();
  registerRunMetrics(run.metrics.registry, {
    pods: () => pool.pods.values(),
    publisher,
    health,
    limits: run.limits,
  });
  const timeSeries = new TimeSeriesRecorder(timeline.startedAtMs);
  const sampler = newSampler(run, health, timeSeries);
  sampler.start();
  let interruptedDuring: RunPhase | undefined;
  const onAbort = () => {
    interruptedDuring = timeline.phase;
    publisher.stop();
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  let metricsServer: MetricsServer | undefined;
  let outcome: { barrier: BarrierOutcome; generator: GeneratorFigures };
  try {
    if (options.metricsPort !== undefined) {
      metricsServer = await startMetricsServer(run.metrics.registry, options.metricsPort);
    }
    options.onStarted?.({ targets, metricsUrl: metricsServer?.url, registry: run.metrics.registry });
    outcome = await runPhases(run, health);
  } finally {
    await closeAll([
      () => sampler.stop(),
      () => signal?.removeEventListener("abort", onAbort),
      () => publisher.stop(),
      () => options.chaos?.stop(),
      () => options.drift?.stop(),
      () => options.checkpoints?.close(),
      () => pool.close(),
      () => run.receiveTracing?.close(),
      () => metricsServer?.close(),
      () => health.stop(),
    ]);
  }
  sampler.sample(true);
  return finishRun(
    run,
    outcome,
    timeSeries,
    signal?.aborted ? (interruptedDuring ?? timeline.phase) : undefined,
  );
}

function assembleRun(
  options: NodeEngineOptions,
  timeline: RunTimeline,
  targets: DiscoveredTarget[],
): NodeRun {
  const { profile, runId } = options;
  const tuple = options.segment?.tuple;
  const limits = options.saturationLimits ?? defaultSaturationLimits;
  // k6's striping: this runner's connections and triggers are the ones a k6 runner of the segment would own.
  const connectionIndices = tuple ? stripedItems(tuple, profile.connections) : undefined;
  const ownedTriggers = tuple
    ? new Set(stripedItems(tuple, Math.round(profile.triggerRate * profile.durationSeconds)))
    : undefined;
  const triggerTargets = selectTriggerTargets(targets, profile.triggerPod);
  const adapter = options.target?.adapter;
  const published = new PublishedLog();
  const chaosRecorder = options.chaos ? new ChaosImpactRecorder(timeline.startedAtMs) : undefined;
  const receiveTracing = options.tracer ? new ReceiveTracing(options.tracer) : undefined;
  let counted: ConnectionPool | undefined;
  const metrics = new LoadMetrics(runId, () => counted?.podCounts() ?? []);
  const pool = new ConnectionPool({
    runId,
    published,
    targets,
    connections: profile.connections,
    ...(connectionIndices ? { connectionIndices } : {}),
    rampSeconds: profile.rampSeconds,
    accounting: adapter?.accounting ?? "seq",
    ...(adapter ? { adapter } : {}),
    metrics,
    onEvent: (event) => timeline.event(event),
    ...(options.backoff ? { backoff: options.backoff } : {}),
    ...(chaosRecorder ? { chaos: chaosRecorder } : {}),
    ...(receiveTracing ? { receiveTracing } : {}),
  });
  counted = pool;
  const publisher = new TriggerPublisher({
    adapter: pool.adapter,
    runId,
    // Runners of a split run publish under their own ids, so their probe counters never collide.
    publisherId: options.segment
      ? `${runId}-node-${options.segment.segment.text.replace(/[^0-9]+/g, "_")}`
      : `${runId}-node`,
    ...(ownedTriggers ? { ownsTrigger: (index: number) => ownedTriggers.has(index) } : {}),
    published,
    targets: triggerTargets,
    onFirstFailure: (pod, cause) =>
      timeline.event({ kind: "error", name: "trigger-failed", target: pod, detail: cause }),
    ...(chaosRecorder
      ? { onAccepted: (pod: string) => chaosRecorder.served(pod, "trigger", epochNowMs()) }
      : {}),
    ...(options.triggerTimeoutMs !== undefined ? { requestTimeoutMs: options.triggerTimeoutMs } : {}),
    ratePerSecond: profile.triggerRate,
    durationSeconds: profile.durationSeconds,
    pod: (name) => pool.pod(name),
    lateStartToleranceMs: limits.eventLoopLagP99Ms,
    ...(options.tracer ? { tracer: options.tracer } : {}),
  });
  for (const target of targets) pool.pod(target.pod);
  return {
    options,
    timeline,
    targets,
    pool,
    publisher,
    published,
    metrics,
    chaosRecorder,
    receiveTracing,
    limits,
    connections: pool.planned,
    triggers: ownedTriggers?.size ?? Math.round(profile.triggerRate * profile.durationSeconds),
  };
}

function newSampler(run: NodeRun, health: GeneratorHealth, timeSeries: TimeSeriesRecorder): RunSampler {
  const { pool, publisher, options } = run;
  const { profile } = options;
  return new RunSampler({
    timeline: run.timeline,
    nowMs: epochNowMs,
    pool,
    triggersAccepted: () => publisher.accepted,
    triggersRefused: () => publisher.failuresByCause()["http-503"] ?? 0,
    triggerTotals: () => ({ sent: publisher.sent, failed: publisher.failed }),
    // Under chaos, disconnects are what the schedule planned (the chaos table counts them), not errors.
    errorCount: () =>
      pool.connectErrorCount +
      (run.chaosRecorder ? 0 : pool.disconnects) +
      pool.invalidFrames +
      publisher.failed,
    timeSeries,
    ...(run.chaosRecorder ? { chaos: run.chaosRecorder } : {}),
    memory: health,
    progressTotals: {
      totalSeconds: profile.rampSeconds + profile.durationSeconds + profile.drainSeconds,
      targetConnections: run.connections,
      triggersTotal: run.triggers,
    },
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    onSecond: (atMs, fanout) => {
      options.drift?.fanoutSecond(atMs, fanout);
      options.checkpoints?.maybeWrite(atMs, () => checkpointReport(run, timeSeries, atMs));
    },
  });
}

/** The run so far, for a checkpoint: what was seen, judged as partial. */
function checkpointReport(run: NodeRun, timeSeries: TimeSeriesRecorder, atMs: number): Report {
  const { options, timeline, pool } = run;
  const drift = options.drift?.figures();
  return partialReport({
    run: nodeRunHeader({
      runId: options.runId,
      profile: options.profile,
      targets: run.targets,
      pool,
      accounting: pool.adapter.accounting,
      settings: options.settings,
      startedAtMs: timeline.startedAtMs,
      endedAtMs: atMs,
    }),
    pods: pool.pods,
    atSeconds: (atMs - timeline.startedAtMs) / 1000,
    timeSeries: timeSeries.points(),
    events: timeline.sorted(),
    thresholds: options.thresholds,
    ...(drift ? { drift } : {}),
  });
}

async function runPhases(
  run: NodeRun,
  health: GeneratorHealth,
): Promise<{ barrier: BarrierOutcome; generator: GeneratorFigures }> {
  const { options, timeline, pool, published } = run;
  const { profile, signal } = options;
  const { rssBeforeRampBytes } = await rampPhase({
    timeline,
    pool,
    memory: health,
    connections: run.connections,
    rampSeconds: profile.rampSeconds,
    signal,
  });
  const barrier = await barrierPhase({
    timeline,
    pool,
    memory: health,
    rssBeforeRampBytes,
    targetConnections: run.connections,
    timeoutSeconds: options.connectTimeoutSeconds ?? Math.max(10, profile.rampSeconds),
    signal,
  });
  const meeting = options.segment;
  // Runners start within a ramp of each other and publish for the same duration; a minute more covers start-up.
  const meetingTimeoutMs = (profile.rampSeconds + profile.durationSeconds + 60) * 1000;
  const startAtEpochMs = meeting
    ? await segmentStartPhase(timeline, meeting, epochNowMs, meetingTimeoutMs)
    : undefined;
  if (!signal?.aborted) options.drift?.start(timeline.startedAtMs, run.targets);
  await triggerPhase({
    timeline,
    publisher: run.publisher,
    health,
    ...(options.chaos ? { chaos: options.chaos } : {}),
    onChaosEvent: (chaos) => {
      run.chaosRecorder?.event(chaos);
      run.metrics.recordChaosEvent(chaos.action, chaos.target, chaos.atMs);
    },
    ratePerSecond: profile.triggerRate,
    durationSeconds: profile.durationSeconds,
    triggerPod: profile.triggerPod,
    ...(startAtEpochMs !== undefined ? { startAtEpochMs } : {}),
    signal,
  });
  if (meeting) await segmentPublishedPhase(timeline, meeting, published, meetingTimeoutMs);
  await options.drift?.stop();
  await drainPhase({
    timeline,
    pool,
    published,
    accounting: pool.adapter.accounting,
    drainSeconds: profile.drainSeconds,
    signal,
  });
  if (run.chaosRecorder && options.chaos?.acknowledgedLost && !signal?.aborted) {
    run.chaosRecorder.acknowledgedLost = await options.chaos.acknowledgedLost(published.acknowledged);
  }
  const generator = health.figures();
  await settlePhase({
    timeline,
    pool,
    published,
    ...(options.beforeMetricsClose ? { beforeMetricsClose: options.beforeMetricsClose } : {}),
    signal,
  });
  return { barrier, generator };
}

function finishRun(
  run: NodeRun,
  { barrier, generator }: { barrier: BarrierOutcome; generator: GeneratorFigures },
  timeSeries: TimeSeriesRecorder,
  interruptedDuring: RunPhase | undefined,
): NodeEngineResult {
  const { options, timeline, pool, publisher, published } = run;
  const validity = judgeValidity({
    generator,
    limits: run.limits,
    publisher,
    confirmedByFrames: published.confirmedByFrames,
    interruptedDuring,
    recoveredSessions: pool.recoveredSessions,
    rssPerConnectionBytes: barrier.rssPerConnectionBytes,
  });
  for (const event of validity.events) timeline.event(event);
  const report = buildNodeReport({
    runId: options.runId,
    profile: options.profile,
    targets: run.targets,
    accounting: pool.adapter.accounting,
    settings: options.settings,
    startedAtMs: timeline.startedAtMs,
    endedAtMs: epochNowMs(),
    pool,
    published,
    chaos: run.chaosRecorder,
    timeSeries: timeSeries.points(),
    events: timeline.sorted(),
    thresholds: options.thresholds,
    validityReasons: [...(barrier.validityReason ? [barrier.validityReason] : []), ...validity.reasons],
    ...(options.segment ? { segment: options.segment.segment.text } : {}),
    drift: options.drift?.figures(),
  });
  const { connectionsHeld, rssPerConnectionBytes } = barrier;
  return { report, generator: { ...generator, connectionsHeld, rssPerConnectionBytes } };
}
