// Opens, watches and closes the run's client connections: a linear ramp spread round-robin over the
// targets, live totals for progress and /metrics, and at the end each connection's delivery verdict.
import { crosspodAdapter } from "../core/adapters/crosspod-adapter.js";
import type { ProtocolAdapter } from "../core/adapters/protocol-adapter.js";
import type { ChaosImpactRecorder } from "../core/chaos-impact.js";
import {
  type Accounting,
  addDelivery,
  emptyDelivery,
  type PublishedTrigger,
} from "../core/delivery-checker.js";
import { LatencyHistogram } from "../core/latency-histogram.js";
import { type BackoffPolicy, defaultBackoffPolicy } from "../core/reconnect-backoff.js";
import type { DeliveryFigures, RunEvent } from "../core/report-model.js";
import { ClientConnection, type ConnectionOwner, type ConnectionTarget } from "./client-connection.js";
import type { LoadMetrics, PodCounts } from "./load-metrics.js";
import { PodState } from "./pod-state.js";
import type { PublishedLog } from "./published-log.js";
import type { ReceiveTracing } from "./receive-tracing.js";
import { waitUntil } from "./wait-until.js";

export interface PoolOptions {
  /** How to talk to the target; default: the reference backend (crosspod). */
  adapter?: ProtocolAdapter;
  runId: string;
  published: PublishedLog;
  targets: readonly ConnectionTarget[];
  connections: number;
  /**
   * The run-wide indices of the connections this pool opens (an execution segment's share); default all
   * of 0 … connections − 1. The index picks the target, so a split run spreads clients over pods as one run.
   */
  connectionIndices?: readonly number[];
  rampSeconds: number;
  accounting: Accounting;
  backoff?: BackoffPolicy;
  helloTimeoutMs?: number;
  metrics?: LoadMetrics;
  /** Notable moments (first failure of each cause, history resets); never one per frame or per socket. */
  onEvent?: (event: Omit<RunEvent, "t">) => void;
  /** In chaos runs: records each connection's drops and comebacks. */
  chaos?: ChaosImpactRecorder;
  /** When the engine traces: the receive side of sampled threats. */
  receiveTracing?: ReceiveTracing;
}

const rampTickMs = 10;
const defaultAdapter = crosspodAdapter();
const closeGraceMs = 5_000;

export class ConnectionPool implements ConnectionOwner {
  readonly adapter: ProtocolAdapter;
  readonly accounting: Accounting;
  readonly runId: string;
  readonly published: PublishedLog;
  readonly backoff: BackoffPolicy;
  readonly helloTimeoutMs: number;
  readonly chaos: ChaosImpactRecorder | undefined;
  readonly receiveTracing: ReceiveTracing | undefined;
  closing = false;
  readonly pods = new Map<string, PodState>();
  /** Failed connect attempts by cause ("ECONNREFUSED", "http-503", "no-hello"). */
  readonly connectErrors = new Map<string, number>();
  framesReceived = 0;
  disconnects = 0;
  invalidFrames = 0;
  gaveUpCount = 0;
  /** Fan-out latencies since the last `takeSecond()`, for the per-second time series. */
  private second = new LatencyHistogram();
  private readonly connections: ClientConnection[] = [];
  private readonly seenEvents = new Set<string>();

  constructor(private readonly options: PoolOptions) {
    this.adapter = options.adapter ?? defaultAdapter;
    this.accounting = options.accounting;
    this.runId = options.runId;
    this.published = options.published;
    this.backoff = options.backoff ?? defaultBackoffPolicy;
    this.helloTimeoutMs = options.helloTimeoutMs ?? 10_000;
    this.chaos = options.chaos;
    this.receiveTracing = options.receiveTracing;
  }

  pod(name: string): PodState {
    let pod = this.pods.get(name);
    if (!pod) {
      pod = new PodState(name, this.options.metrics);
      this.pods.set(name, pod);
    }
    return pod;
  }

  /** Starts every connection, linearly over the ramp; resolves once all have been started. */
  async open(signal?: AbortSignal): Promise<void> {
    const { targets, rampSeconds } = this.options;
    const connections = this.planned;
    const indices = this.options.connectionIndices;
    const rampMs = rampSeconds * 1000;
    const startedAt = performance.now();
    while (this.connections.length < connections && !signal?.aborted && !this.closing) {
      const elapsedMs = performance.now() - startedAt;
      const due =
        rampMs <= 0 ? connections : Math.min(connections, Math.floor((elapsedMs / rampMs) * connections) + 1);
      while (this.connections.length < due) {
        const index = indices?.[this.connections.length] ?? this.connections.length;
        const target = targets[index % targets.length] as ConnectionTarget;
        const connection = new ClientConnection(this, target);
        this.connections.push(connection);
        connection.connect();
      }
      if (this.connections.length < connections) await new Promise((r) => setTimeout(r, rampTickMs));
    }
  }

  /** How many connections this pool opens. */
  get planned(): number {
    return this.options.connectionIndices?.length ?? this.options.connections;
  }

  get started(): number {
    return this.connections.length;
  }

  get connected(): number {
    let open = 0;
    for (const pod of this.pods.values()) open += pod.open;
    return open;
  }

  get connectErrorCount(): number {
    let total = 0;
    for (const count of this.connectErrors.values()) total += count;
    return total;
  }

  /** Waits until every started connection has said hello; false when the timeout came first. */
  waitAllConnected(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    return waitUntil(() => this.connected >= this.planned, { timeoutMs, signal });
  }

  /** Waits until every connection has seen the head seq (or gave up); false when the timeout came first. */
  waitForHead(headSeq: () => number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    return waitUntil(
      () => {
        const head = headSeq();
        return this.connections.every((c) => c.reached(head));
      },
      { timeoutMs, signal },
    );
  }

  /**
   * Waits until every connection has seen each publisher's head probe (or gave up): the drain without a
   * seq. `heads` may still grow while waiting (a trigger without a reply shows up in a frame).
   */
  waitForProbes(
    heads: ReadonlyMap<string, number>,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<boolean> {
    return waitUntil(() => this.connections.every((c) => c.reachedProbes(heads)), { timeoutMs, signal });
  }

  /** Reconnects that recovered their previous session (Socket.IO connection state recovery). */
  get recoveredSessions(): number {
    let recovered = 0;
    for (const connection of this.connections) recovered += connection.recoveries;
    return recovered;
  }

  /** Fan-out latencies of the frames since the previous call. */
  takeSecond(): LatencyHistogram {
    const second = this.second;
    this.second = new LatencyHistogram();
    return second;
  }

  /** Settles every connection's delivery accounting into its pod; call after the drain, before close. */
  finish(published: readonly PublishedTrigger[], finalHeadSeq: number | undefined): void {
    for (const connection of this.connections) {
      const figures = connection.checker.finish(published, finalHeadSeq);
      const pod = this.pod(connection.podName);
      addDelivery(pod.recorder.delivery, figures);
      pod.lost += figures.lost;
    }
    for (const pod of this.pods.values()) pod.settleFanout();
  }

  /** Delivery figures over every connection for `published` alone (a chaos event's window); changes nothing. */
  settle(published: readonly PublishedTrigger[], finalHeadSeq: number | undefined): DeliveryFigures {
    const total = emptyDelivery();
    for (const connection of this.connections)
      addDelivery(total, connection.checker.finish(published, finalHeadSeq));
    return total;
  }

  podCounts(): PodCounts[] {
    return [...this.pods.values()].map((pod) => pod.counts());
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const connection of this.connections) connection.close();
    const closed = await waitUntil(() => this.connections.every((c) => c.closed), {
      timeoutMs: closeGraceMs,
    });
    if (!closed) for (const connection of this.connections) connection.terminate();
  }

  frameReceived(fanoutMs: number | undefined): void {
    this.framesReceived += 1;
    if (fanoutMs !== undefined) this.second.recordMs(fanoutMs);
  }

  connectFailed(pod: PodState, cause: string): void {
    this.connectErrors.set(cause, (this.connectErrors.get(cause) ?? 0) + 1);
    this.eventOnce(`connect:${pod.name}:${cause}`, {
      kind: "error",
      name: "connect-failed",
      target: pod.name,
      detail: cause,
    });
  }

  disconnected(pod: PodState, closeCode: number): void {
    this.disconnects += 1;
    this.eventOnce(`close:${pod.name}:${closeCode}`, {
      kind: "error",
      name: "disconnected",
      target: pod.name,
      detail: `close code ${closeCode}`,
    });
  }

  invalidFrame(pod: PodState, reason: string): void {
    this.invalidFrames += 1;
    this.eventOnce(`invalid:${pod.name}:${reason}`, {
      kind: "error",
      name: "invalid-frame",
      target: pod.name,
      detail: reason,
    });
  }

  /** The backend ended an open session in-band; the drop that follows is counted as a disconnect. */
  refused(pod: PodState, reason: string): void {
    this.eventOnce(`refused:${pod.name}:${reason}`, {
      kind: "error",
      name: "refused",
      target: pod.name,
      detail: reason,
    });
  }

  historyReset(pod: PodState, epoch: string): void {
    this.eventOnce(`reset:${pod.name}:${epoch}`, {
      kind: "reset",
      name: "history-reset",
      target: pod.name,
      detail: `epoch ${epoch}`,
    });
  }

  gaveUp(pod: PodState, attempts: number): void {
    this.gaveUpCount += 1;
    this.eventOnce(`gave-up:${pod.name}`, {
      kind: "error",
      name: "gave-up-reconnecting",
      target: pod.name,
      detail: `after ${attempts} attempts`,
    });
  }

  private eventOnce(key: string, event: Omit<RunEvent, "t">): void {
    if (this.seenEvents.has(key)) return;
    this.seenEvents.add(key);
    this.options.onEvent?.(event);
  }
}
