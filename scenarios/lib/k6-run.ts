// The one module every scenario imports: a crosspod run in k6's lifecycle. prepareRun (init context:
// config, options, metrics, Redis client) -> setupRun (Redis reachable, pods discovered, run id, oracle
// start) -> subscribe / publish (VU code) -> teardownRun (oracle check) -> summarizeRun (handleSummary).

import type { Options } from "k6/options";
import redis, { type Client } from "k6/x/redis";
import { CrosspodError } from "../../lib/core/crosspod-error.js";
import { type DiscoveredTarget, triggerTargets } from "../../lib/core/target-discovery.js";
import { discoverTargets } from "./k6-discovery.js";
import { createRunMetrics, type RunMetrics } from "./k6-metrics.js";
import { type RunTiming, runOptions, runTiming } from "./k6-options.js";
import { runPublisherIteration } from "./k6-publisher.js";
import { loadRunConfig, type RunConfig } from "./k6-run-config.js";
import { RunStore } from "./k6-run-store.js";
import { runSegment } from "./k6-segment.js";
import { runSubscriberVu } from "./k6-subscriber.js";
import { type AddReportSections, type K6SummaryData, summarizeRun as summarize } from "./k6-summary.js";

export type { AddReportSections, K6SummaryData };

/** What the init context builds once per VU. */
export interface PreparedRun {
  config: RunConfig;
  options: Options;
  timing: RunTiming;
  metrics: RunMetrics;
  client: Client;
}

/** setup()'s result, passed by k6 (as JSON) to every VU, teardown and handleSummary. */
export interface RunData {
  runId: string;
  startedAtMs: number;
  targets: DiscoveredTarget[];
  /** The backend's seq counter when the run started: the oracle compares its advance with our triggers. */
  seqAtStart: number;
}

/** A run id's segments stay claimed this long: a day covers any run and its merge. */
const runIdClaimSeconds = 24 * 3600;

export class RunSetupError extends CrosspodError {
  override readonly code = "CROSSPOD_K6_SETUP";
  override readonly kind = "environment";
}

/** Run ids are short, unique enough per Redis, and need no crypto API (k6 has none in every version). */
function newRunId(nowMs: number): string {
  return `k6-${nowMs.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export function prepareRun(profileName: string, env: Record<string, string | undefined>): PreparedRun {
  // A plain copy: k6's __ENV is a wrapped Go map, and the schemas expect an ordinary object.
  const config = loadRunConfig(profileName, { ...env });
  return {
    config,
    options: runOptions(config.profile),
    timing: runTiming(config.profile),
    metrics: createRunMetrics(),
    client: new redis.Client(config.redisUrl),
  };
}

function hasSeqOracle(run: PreparedRun): boolean {
  return run.config.target.adapter.kind === "crosspod";
}

/** The run's Redis state as this runner (execution segment) sees it; VU context only. */
export function storeOf(run: PreparedRun, runId: string): RunStore {
  return new RunStore(run.client, run.config.keyPrefix, runId, runSegment());
}

export async function setupRun(run: PreparedRun): Promise<RunData> {
  const startedAtMs = Date.now();
  const runId = run.config.runId ?? newRunId(startedAtMs);
  const store = storeOf(run, runId);
  try {
    await store.ping();
  } catch (error) {
    throw new RunSetupError(`cannot reach Redis at REDIS_URL=${run.config.redisUrl}: ${String(error)}`);
  }
  // A split run's runners share an explicit run id; one runner started twice would count twice.
  if (runSegment().partial && !(await store.claimSegment(runIdClaimSeconds))) {
    throw new RunSetupError(
      `run id ${runId} already ran segment ${runSegment().text} in this Redis: give every run its own CROSSPOD_RUN_ID`,
    );
  }
  const targets = await discoverTargets(run.config.target.adapter, run.config.target.pods);
  triggerTargets(targets, run.config.profile.triggerPod);
  // The oracle reads the reference backend's seq counter; another backend keeps none in this Redis.
  const seqAtStart = hasSeqOracle(run) ? await store.backendHeadSeq() : 0;
  return { runId, startedAtMs, targets, seqAtStart };
}

export function subscribe(run: PreparedRun, data: RunData): Promise<void> {
  return runSubscriberVu(run, storeOf(run, data.runId), data);
}

export function publish(run: PreparedRun, data: RunData): Promise<void> {
  return runPublisherIteration(run, storeOf(run, data.runId), data);
}

/** Compares our accepted triggers with how far the backend's own seq counter moved (an independent oracle). */
export async function teardownRun(run: PreparedRun, data: RunData): Promise<void> {
  if (!hasSeqOracle(run)) return;
  const store = storeOf(run, data.runId);
  const headSeq = await store.backendHeadSeq();
  const accepted = (await store.runPublished()).length;
  const advanced = headSeq - data.seqAtStart;
  const t = (Date.now() - data.startedAtMs) / 1000;
  const detail = `backend seq advanced by ${advanced} (${data.seqAtStart} -> ${headSeq}); ${accepted} triggers were acknowledged to this run`;
  await store.pushEvent({ t, kind: "info", name: "redis-oracle", detail });
  if (advanced < accepted) {
    await store.pushEvent({ t, kind: "error", name: "oracle-mismatch", detail });
  }
}

export function summarizeRun(
  run: PreparedRun,
  summary: K6SummaryData,
  addSections?: AddReportSections,
): Promise<Record<string, string>> {
  return summarize(run, summary, (runId) => storeOf(run, runId), addSections);
}
