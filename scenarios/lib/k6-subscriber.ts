// The subscriber VU: one long iteration that opens its share of the run's connections (connectionsPerVu,
// round-robin over the pods, spread over the ramp), holds them through publishing and the drain, then
// settles every connection's delivery checker against the published log in Redis and uploads its figures.
// Counts reach k6 as custom metrics (thresholds, remote write); the exact figures reach handleSummary.
import exec from "k6/execution";
import { clearInterval, setInterval, setTimeout } from "k6/timers";
import type { PublishedTrigger } from "../../lib/core/delivery-checker.js";
import { addDelivery, emptyDelivery } from "../../lib/core/delivery-figures.js";
import type { DeliveryFigures, RunEvent } from "../../lib/core/report-model.js";
import { defaultBackoffPolicy } from "../../lib/engine/reconnect-backoff.js";
import type { PreparedRun, RunData } from "./k6-run.js";
import type { PublishedEntry, RunStore } from "./k6-run-store.js";
import { type ConnectionOwner, SubscriberConnection } from "./k6-subscriber-connection.js";
import { VuRecorder } from "./k6-vu-recorder.js";

/** Events of one kind, name and pod a VU reports at most this often (a dying pod drops every connection). */
const maxEventsPerKey = 3;
const helloTimeoutMs = 10_000;
const tickMs = 1_000;

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
      seq: entry.seq,
      publisher: entry.publisher,
      n: entry.n,
      acceptedAtMs: entry.acceptedAtMs,
    }))
    .sort((a, b) => a.seq - b.seq);
}

class SubscriberVu implements ConnectionOwner {
  readonly backoff = defaultBackoffPolicy;
  readonly helloTimeoutMs = helloTimeoutMs;
  closing = false;
  private readonly pendingFrames = new Map<string, number>();
  private readonly eventCounts = new Map<string, number>();

  constructor(
    readonly runId: string,
    private readonly run: PreparedRun,
    private readonly store: RunStore,
    readonly recorder: VuRecorder,
  ) {}

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

  connectionDown(pod: string, atMs: number): void {
    this.recorder.connectionDown(pod, atMs);
    this.background(this.store.changeOpen(pod, -1), atMs);
    if (!this.closing) {
      this.recorder.error(atMs);
      this.problem({ kind: "error", name: "disconnected", target: pod }, atMs);
    }
  }

  connectFailed(pod: string, reason: string, atMs: number): void {
    this.recorder.pod(pod).connections.failed += 1;
    this.recorder.error(atMs);
    this.problem({ kind: "error", name: "connect-failed", target: pod, detail: reason }, atMs);
  }

  frame(pod: string, origin: string, fanoutMs: number, e2eMs: number | undefined, atMs: number): void {
    this.recorder.frame(pod, origin, fanoutMs, e2eMs, atMs);
    this.run.metrics.fanout.add(fanoutMs, { pod });
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

  /** One VU publishes the run-wide open connections per pod as the crosspod_connections gauge. */
  async sampleConnections(): Promise<void> {
    const open = await this.store.openByPod();
    for (const [pod, count] of Object.entries(open)) this.run.metrics.connections.add(count, { pod });
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

/** The run's planned timeline as phase events (k6's scheduler keeps to it), recorded once per run. */
function recordPhases(recorder: VuRecorder, run: PreparedRun, scenarioStartMs: number): void {
  const { profile } = run.config;
  const publishStartMs = scenarioStartMs + run.timing.publishStartSeconds * 1000;
  const drainStartMs = publishStartMs + profile.durationSeconds * 1000;
  const at = (name: string, atMs: number, detail: string) =>
    recorder.event({ kind: "phase", name, detail }, atMs);
  at("ramp", scenarioStartMs, `${profile.connections} connections over ${profile.rampSeconds} s`);
  at(
    "trigger",
    publishStartMs,
    `${profile.triggerRate}/s for ${profile.durationSeconds} s to ${profile.triggerPod}`,
  );
  at("drain", drainStartMs, `${profile.drainSeconds} s with publishing stopped`);
  at("finish", drainStartMs + profile.drainSeconds * 1000, "connections closed and checked");
}

export async function runSubscriberVu(run: PreparedRun, store: RunStore, data: RunData): Promise<void> {
  const { profile } = run.config;
  const vuIndex = exec.scenario.iterationInTest;
  const scenarioStartMs = exec.scenario.startTime;
  const holdUntilMs = scenarioStartMs + run.timing.holdSeconds * 1000;
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
  if (sampler) recordPhases(recorder, run, scenarioStartMs);
  const ticker = setInterval(() => {
    const atMs = Date.now();
    recorder.advance(atMs);
    vu.flushFrames();
    if (sampler) vu.background(vu.sampleConnections(), atMs);
  }, tickMs);

  await sleepUntil(holdUntilMs);
  clearInterval(ticker);
  vu.closing = true;
  for (const connection of connections) connection.close();

  const published = toPublishedTriggers(await store.published());
  const finalHeadSeq = published.length > 0 ? published[published.length - 1]?.seq : undefined;
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
