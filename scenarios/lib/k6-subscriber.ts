// The subscriber VU: one long iteration that opens its share of the run's connections (connectionsPerVu,
// round-robin over the pods, spread over the ramp), holds them until every trigger iteration has settled
// (publishing can run late: the start barrier, slow replies) and through the drain (publishing stopped,
// until every connection reached the head seq, at most drainSeconds), then settles every connection's
// delivery checker against the now complete published log in Redis and uploads its figures.
// Counts reach k6 as custom metrics (thresholds, remote write); the exact figures reach handleSummary.
import exec from "k6/execution";
import { clearInterval, setInterval, setTimeout } from "k6/timers";
import type { ProtocolAdapter } from "../../lib/core/adapters/protocol-adapter.js";
import type { PublishedTrigger } from "../../lib/core/delivery-checker.js";
import { addDelivery, emptyDelivery } from "../../lib/core/delivery-figures.js";
import { PublishedHeads } from "../../lib/core/published-heads.js";
import { defaultBackoffPolicy } from "../../lib/core/reconnect-backoff.js";
import type { DeliveryFigures, RunEvent } from "../../lib/core/report-model.js";
import type { PreparedRun, RunData } from "./k6-run.js";
import type { PublishedEntry, RunStore } from "./k6-run-store.js";
import { type ConnectionOwner, SubscriberConnection } from "./k6-subscriber-connection.js";
import { VuRecorder } from "./k6-vu-recorder.js";
import { waitUntil } from "./k6-wait-until.js";

/** Events of one kind, name and pod a VU reports at most this often (a dying pod drops every connection). */
const maxEventsPerKey = 3;
const helloTimeoutMs = 10_000;
const tickMs = 1_000;
/** A Redis read per VU this often while publishing overruns its schedule. */
const settlePollMs = 200;
/** The drain looks at this VU's own connections only: cheap enough to look often. */
const drainPollMs = 20;

function sleepUntil(atMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, atMs - Date.now())));
}

/** The global indexes of this VU's connections: VU k holds [k * perVu, (k + 1) * perVu). */
export function connectionIndexes(vuIndex: number, perVu: number, total: number): number[] {
  const first = vuIndex * perVu;
  const last = Math.min(first + perVu, total);
  return Array.from({ length: Math.max(0, last - first) }, (_, offset) => first + offset);
}

export function toPublishedTriggers(entries: readonly PublishedEntry[]): PublishedTrigger[] {
  return entries
    .map((entry) => ({
      ...(entry.seq === undefined ? {} : { seq: entry.seq }),
      publisher: entry.publisher,
      n: entry.n,
      acceptedAtMs: entry.acceptedAtMs,
    }))
    .sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0) || a.n - b.n);
}

class SubscriberVu implements ConnectionOwner {
  readonly backoff = defaultBackoffPolicy;
  readonly adapter: ProtocolAdapter;
  readonly helloTimeoutMs = helloTimeoutMs;
  private readonly pendingFrames = new Map<string, number>();
  private readonly eventCounts = new Map<string, number>();

  constructor(
    readonly runId: string,
    private readonly run: PreparedRun,
    private readonly store: RunStore,
    readonly recorder: VuRecorder,
  ) {
    this.adapter = run.config.target.adapter;
  }

  connectionUp(pod: string, first: boolean, reconnectMs: number | undefined, atMs: number): void {
    this.recorder.connectionUp(pod, atMs);
    const recorder = this.recorder.pod(pod);
    if (first) {
      recorder.connections.opened += 1;
      this.background(this.store.markConnected(), atMs);
    }
    if (reconnectMs !== undefined) {
      recorder.connections.reconnects += 1;
      recorder.reconnectTime.recordMs(reconnectMs);
      this.run.metrics.reconnects.add(1, { pod });
      this.run.metrics.reconnectTime.add(reconnectMs, { pod });
    }
    this.background(this.store.changeOpen(pod, 1), atMs);
  }

  connectionDown(pod: string, atMs: number, expected: boolean): void {
    this.recorder.connectionDown(pod, atMs);
    this.background(this.store.changeOpen(pod, -1), atMs);
    if (!expected) {
      this.recorder.error(atMs);
      this.problem({ kind: "error", name: "disconnected", target: pod }, atMs);
    }
  }

  connectFailed(pod: string, reason: string, atMs: number): void {
    this.recorder.pod(pod).connections.failed += 1;
    this.recorder.error(atMs);
    this.problem({ kind: "error", name: "connect-failed", target: pod, detail: reason }, atMs);
  }

  frame(
    pod: string,
    origin: string,
    fanoutMs: number | undefined,
    e2eMs: number | undefined,
    atMs: number,
  ): void {
    this.recorder.frame(pod, origin, fanoutMs, e2eMs, atMs);
    if (fanoutMs !== undefined) this.run.metrics.fanout.add(fanoutMs, { pod });
    if (e2eMs !== undefined) this.run.metrics.e2e.add(e2eMs, { pod });
    this.pendingFrames.set(pod, (this.pendingFrames.get(pod) ?? 0) + 1);
  }

  problem(event: Omit<RunEvent, "t">, atMs: number): void {
    const key = `${event.kind}\u0000${event.name}\u0000${event.target ?? ""}`;
    const seen = (this.eventCounts.get(key) ?? 0) + 1;
    this.eventCounts.set(key, seen);
    if (seen <= maxEventsPerKey) this.recorder.event(event, atMs);
  }

  /** Frames go to k6 in one sample per pod per tick: a sample per frame would double k6's work. */
  flushFrames(): void {
    for (const [pod, count] of this.pendingFrames) this.run.metrics.frames.add(count, { pod });
    this.pendingFrames.clear();
  }

  /**
   * One VU publishes the run-wide open connections as the crosspod_connections gauge: per pod, then the
   * total untagged and last, because k6's end-of-test summary shows a gauge's last sample whatever its tags
   * (it showed one pod's count). The recording rules sum the pod-tagged samples only.
   */
  async sampleConnections(): Promise<void> {
    const open = await this.store.openByPod();
    let total = 0;
    for (const [pod, count] of Object.entries(open)) {
      this.run.metrics.connections.add(count, { pod });
      total += count;
    }
    this.run.metrics.connections.add(total);
  }

  /** Redis bookkeeping off the hot path; a failure is reported, never thrown into a socket handler. */
  background(work: Promise<unknown>, atMs: number): void {
    work.catch((error: unknown) =>
      this.problem({ kind: "error", name: "redis", detail: String(error) }, atMs),
    );
  }

  /** Reports what the checkers found, per pod, as k6 counters (zero included, so thresholds always see a sample). */
  emitDelivery(byPod: ReadonlyMap<string, DeliveryFigures>): void {
    const { metrics } = this.run;
    for (const [pod, figures] of byPod) {
      metrics.lost.add(figures.lost, { pod });
      metrics.duplicates.add(figures.duplicates, { pod });
      metrics.outOfOrder.add(figures.outOfOrder, { pod });
      metrics.missed.add(figures.missedWhileDisconnected, { pod });
    }
  }
}

/** The run's scheduled phases (k6's scheduler keeps to them), recorded once per run; drain and finish follow. */
function recordScheduledPhases(recorder: VuRecorder, run: PreparedRun, scenarioStartMs: number): void {
  const { profile } = run.config;
  const at = (name: string, atMs: number, detail: string) =>
    recorder.event({ kind: "phase", name, detail }, atMs);
  at("ramp", scenarioStartMs, `${profile.connections} connections over ${profile.rampSeconds} s`);
  at(
    "trigger",
    scenarioStartMs + run.timing.publishStartSeconds * 1000,
    `${profile.triggerRate}/s for ${profile.durationSeconds} s to ${profile.triggerPod}`,
  );
}

/**
 * Waits until every planned trigger iteration has settled, so the published log is complete. A fixed
 * schedule is not enough: a publisher waits at the start barrier, and a reply can take seconds. Bounded by
 * the moment k6 stops the publishers; false if that came first (dropped or interrupted iterations).
 */
async function waitForPublishing(
  run: PreparedRun,
  store: RunStore,
  scenarioStartMs: number,
): Promise<boolean> {
  // No trigger is due after the schedule's end, so publishing cannot be over before it.
  await sleepUntil(scenarioStartMs + run.timing.publishEndSeconds * 1000);
  const allSettled = async () => (await store.settledCount()) >= run.timing.plannedTriggers;
  return waitUntil(allSettled, scenarioStartMs + run.timing.publishDeadlineSeconds * 1000, settlePollMs);
}

export async function runSubscriberVu(run: PreparedRun, store: RunStore, data: RunData): Promise<void> {
  const { profile } = run.config;
  const vuIndex = exec.scenario.iterationInTest;
  const scenarioStartMs = exec.scenario.startTime;
  const recorder = new VuRecorder(data.startedAtMs, run.timing.bucketSeconds * 1000, Date.now());
  const vu = new SubscriberVu(data.runId, run, store, recorder);
  const connections = connectionIndexes(vuIndex, profile.connectionsPerVu, profile.connections).map(
    (index) => {
      const target = data.targets[index % data.targets.length];
      if (target === undefined) throw new Error("setup discovered no targets");
      const connection = new SubscriberConnection(vu, target);
      const openAtMs = scenarioStartMs + (profile.rampSeconds * 1000 * index) / profile.connections;
      setTimeout(() => connection.connect(), Math.max(0, openAtMs - Date.now()));
      return connection;
    },
  );
  const sampler = vuIndex === 0;
  if (sampler) recordScheduledPhases(recorder, run, scenarioStartMs);
  const ticker = setInterval(() => {
    const atMs = Date.now();
    recorder.advance(atMs);
    vu.flushFrames();
    if (sampler) vu.background(vu.sampleConnections(), atMs);
  }, tickMs);

  if (!(await waitForPublishing(run, store, scenarioStartMs))) {
    const settled = await store.settledCount();
    recorder.event(
      {
        kind: "error",
        name: "publishing-unsettled",
        detail: `${settled} of ${run.timing.plannedTriggers} trigger iterations had finished when k6 stopped the publishers (dropped or interrupted iterations)`,
      },
      Date.now(),
    );
  }
  const published = toPublishedTriggers(await store.runPublished());
  const bySeq = run.config.target.adapter.accounting === "seq";
  const publishedHeads = PublishedHeads.of(published);
  const finalHeadSeq = bySeq ? publishedHeads.headSeq : undefined;
  const heads = bySeq ? undefined : publishedHeads.byPublisher;
  const drainStartMs = Date.now();
  if (sampler) {
    const until =
      finalHeadSeq !== undefined
        ? `until every connection has seq ${finalHeadSeq}, `
        : heads !== undefined && heads.size > 0
          ? "until every connection has every publisher's last probe, "
          : "";
    recorder.event(
      {
        kind: "phase",
        name: "drain",
        detail: `${until}at most ${profile.drainSeconds} s, publishing stopped`,
      },
      drainStartMs,
    );
  }
  if (heads !== undefined && heads.size > 0) {
    const allReached = () => connections.every((connection) => connection.reachedProbes(heads));
    if (!(await waitUntil(allReached, drainStartMs + profile.drainSeconds * 1000, drainPollMs))) {
      recorder.event(
        {
          kind: "info",
          name: "drain-timeout",
          detail: "not every connection saw every publisher's last probe",
        },
        Date.now(),
      );
    }
  } else if (finalHeadSeq !== undefined) {
    const allReached = () => connections.every((connection) => connection.reached(finalHeadSeq));
    if (!(await waitUntil(allReached, drainStartMs + profile.drainSeconds * 1000, drainPollMs))) {
      recorder.event(
        {
          kind: "info",
          name: "drain-timeout",
          detail: `not every connection reached seq ${finalHeadSeq}`,
        },
        Date.now(),
      );
    }
  }
  clearInterval(ticker);
  for (const connection of connections) connection.close();
  if (sampler)
    recorder.event({ kind: "phase", name: "finish", detail: "connections closed and checked" }, Date.now());

  const byPod = new Map<string, DeliveryFigures>();
  for (const connection of connections) {
    const figures = connection.finish(published, finalHeadSeq);
    const pod = connection.podName;
    addDelivery(recorder.pod(pod).delivery, figures);
    const podFigures = byPod.get(pod) ?? emptyDelivery();
    addDelivery(podFigures, figures);
    byPod.set(pod, podFigures);
  }
  vu.flushFrames();
  vu.emitDelivery(byPod);
  await store.pushSnapshot(JSON.stringify(recorder.snapshot(vuIndex, Date.now())));
}
