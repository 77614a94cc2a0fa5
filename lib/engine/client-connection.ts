// One simulated client of the Node engine: lib/core's SubscriberSession (hello, early frames, reset,
// delivery checks, drop, backoff, resume) over a `ws` WebSocket, with its reports turned into the pool's
// per-pod counters, histograms and Prometheus series. Thousands live in one process, so it holds a few
// fields and no per-connection histogram.
import WebSocket from "ws";
import type { ProtocolAdapter } from "../core/adapters/protocol-adapter.js";
import type { ChaosImpactRecorder } from "../core/chaos-impact.js";
import type { Accounting, DeliveryChecker } from "../core/delivery-checker.js";
import { epochNowMs } from "../core/epoch-clock.js";
import type { BackoffPolicy } from "../core/reconnect-backoff.js";
import {
  type JudgedDelivery,
  type SessionListener,
  type SessionRuntime,
  SubscriberSession,
} from "../core/subscriber-session.js";
import { traceIdOf } from "../core/trace-context.js";
import type { PodState } from "./pod-state.js";
import type { PublishedLog } from "./published-log.js";
import type { ReceiveTracing } from "./receive-tracing.js";
import { dialWebSocket, nodeTimers } from "./ws-dial.js";

/** What a connection reports to, and reads from, the pool that owns it. */
export interface ConnectionOwner {
  readonly adapter: ProtocolAdapter;
  readonly accounting: Accounting;
  readonly runId: string;
  readonly published: PublishedLog;
  readonly backoff: BackoffPolicy;
  readonly helloTimeoutMs: number;
  /** In chaos runs: each drop and comeback, for every chaos event's impact. */
  readonly chaos: ChaosImpactRecorder | undefined;
  /** When the engine traces: the receive side of sampled threats. */
  readonly receiveTracing: ReceiveTracing | undefined;
  pod(name: string): PodState;
  /** fanoutMs: undefined when the frame says nothing of when it was published. */
  frameReceived(fanoutMs: number | undefined): void;
  connectFailed(pod: PodState, cause: string): void;
  disconnected(pod: PodState, closeCode: number): void;
  invalidFrame(pod: PodState, reason: string): void;
  refused(pod: PodState, reason: string): void;
  historyReset(pod: PodState, epoch: string): void;
  gaveUp(pod: PodState, attempts: number): void;
}

export interface ConnectionTarget {
  /** ws://host:port/ws */
  wsUrl: string;
  /** The pod name learnt from this target's hello before the run. */
  pod: string;
  /** Local (source) address to bind, e.g. 127.0.0.2, when one address's ephemeral ports run short. */
  localAddress?: string;
}

/** The close code ws reports when a socket ended without a closing handshake. */
const abnormalCloseCode = 1006;

export class ClientConnection implements SessionListener {
  private readonly session: SubscriberSession;
  private ws: WebSocket | undefined;
  /** The pod state of the session's current pod, looked up once per change of pod, not per frame. */
  private podState: PodState;

  constructor(
    private readonly owner: ConnectionOwner,
    private readonly target: ConnectionTarget,
  ) {
    this.podState = owner.pod(target.pod);
    this.session = new SubscriberSession(
      {
        adapter: owner.adapter,
        accounting: owner.accounting,
        runId: owner.runId,
        wsUrl: target.wsUrl,
        pod: target.pod,
        backoff: owner.backoff,
        helloTimeoutMs: owner.helloTimeoutMs,
      },
      this.runtime(),
      this,
    );
  }

  get checker(): DeliveryChecker {
    return this.session.checker;
  }

  /** The pod this connection is attributed to: its target's, or the one its latest hello named. */
  get podName(): string {
    return this.session.pod;
  }

  /** Reconnects whose session the backend recovered (Socket.IO connection state recovery). */
  get recoveries(): number {
    return this.session.recoveries;
  }

  reached(seq: number): boolean {
    return this.session.reached(seq);
  }

  reachedProbes(heads: ReadonlyMap<string, number>): boolean {
    return this.session.reachedProbes(heads);
  }

  connect(): void {
    this.session.connect();
  }

  close(): void {
    this.session.close();
  }

  /** Ends the socket without a closing handshake (shutdown after the grace period). */
  terminate(): void {
    this.session.close();
    this.ws?.terminate();
  }

  get closed(): boolean {
    return this.ws === undefined || this.ws.readyState === WebSocket.CLOSED;
  }

  up(pod: string, atMs: number, first: boolean, reconnectMs: number | undefined): void {
    const state = this.stateOf(pod);
    state.connectionOpened();
    if (first) state.recorder.connections.opened += 1;
    this.owner.chaos?.served(state.name, "client", atMs);
    if (reconnectMs !== undefined) {
      state.recorder.connections.reconnects += 1;
      state.recorder.reconnectTime.recordMs(reconnectMs);
      state.reconnectTimeSeries?.observe(reconnectMs / 1000);
      this.owner.chaos?.reconnected(this, atMs);
    }
  }

  down(pod: string, atMs: number, closeCode: number | undefined, expected: boolean): void {
    const state = this.stateOf(pod);
    state.open -= 1;
    if (expected) return;
    this.owner.disconnected(state, closeCode ?? abnormalCloseCode);
    this.owner.chaos?.disconnected(this, atMs);
  }

  connectFailed(pod: string, cause: string): void {
    const state = this.stateOf(pod);
    state.recorder.connections.failed += 1;
    this.owner.connectFailed(state, cause);
  }

  delivery(pod: string, { frame, verdict, atMs, fanoutMs, e2eMs }: JudgedDelivery): void {
    const state = this.stateOf(pod);
    state.framesReceived += 1;
    if (verdict === "duplicate") state.duplicates += 1;
    else if (verdict === "out-of-order") state.outOfOrder += 1;
    if (frame.traceparent !== undefined) {
      this.owner.receiveTracing?.received(state.name, frame.traceparent, frame.seq, atMs);
    }
    const cell = state.cellFrom(frame.podOrigin);
    cell.received += 1;
    const traceId = frame.traceparent === undefined ? undefined : traceIdOf(frame.traceparent);
    if (fanoutMs !== undefined) {
      state.fanoutSeries?.observe(fanoutMs / 1000, traceId);
      cell.fanout.recordMs(fanoutMs);
      cell.fanoutSeries?.observe(fanoutMs / 1000);
    }
    const probe = frame.probe;
    // e2eMs is defined exactly for probes of this run.
    if (probe !== undefined && e2eMs !== undefined) {
      state.recorder.e2e.recordMs(e2eMs);
      state.e2eSeries?.observe(e2eMs / 1000, traceId);
      const published = this.owner.published;
      if (published.awaiting)
        published.seenInFrame(probe.publisher, probe.n, frame.seq, frame.publishedAtMs ?? atMs);
    }
    this.owner.frameReceived(fanoutMs);
  }

  invalidFrame(pod: string, reason: string): void {
    this.owner.invalidFrame(this.stateOf(pod), reason);
  }

  refused(pod: string, reason: string): void {
    this.owner.refused(this.stateOf(pod), reason);
  }

  historyReset(pod: string, epoch: string): void {
    this.owner.historyReset(this.stateOf(pod), epoch);
    this.owner.chaos?.historyReset();
  }

  gaveUp(pod: string, attempts: number): void {
    this.owner.gaveUp(this.stateOf(pod), attempts);
  }

  private stateOf(pod: string): PodState {
    if (this.podState.name !== pod) this.podState = this.owner.pod(pod);
    return this.podState;
  }

  /** `ws` and Node's timers and clock, as the session needs them. */
  private runtime(): SessionRuntime {
    return {
      ...nodeTimers,
      nowMs: epochNowMs,
      dial: (url, events) => {
        const ws = dialWebSocket(url, events, {
          handshakeTimeoutMs: this.owner.helloTimeoutMs,
          localAddress: this.target.localAddress,
          headers: this.owner.adapter.webSocketHeaders,
        });
        this.ws = ws;
        ws.on("close", () => {
          if (this.ws === ws) this.ws = undefined;
        });
        return ws;
      },
    };
  }
}
