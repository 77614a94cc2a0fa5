// One simulated client: a WebSocket to one pod that checks every frame it receives and reconnects after
// a drop with backoff, resuming where it left off (crosspod: ?since=<last seq>; Socket.IO: pid and offset)
// when the pod's hello said it can. The target's protocol adapter builds the URL and opening frames and
// reads every frame. Thousands live in one process, so it holds a few fields and no per-connection histogram.
import WebSocket, { type RawData } from "ws";
import type { DeliveryFrame, ProtocolAdapter, ResumePosition } from "../core/adapters/protocol-adapter.js";
import type { ChaosImpactRecorder } from "../core/chaos-impact.js";
import type { DeliveryChecker } from "../core/delivery-checker.js";
import { epochNowMs } from "./clock.js";
import { connectErrorCause } from "./connect-error-cause.js";
import type { PodState } from "./pod-state.js";
import type { PublishedLog } from "./published-log.js";
import { type BackoffPolicy, backoffDelayMs, mayRetry } from "./reconnect-backoff.js";

/** What a connection reports to, and reads from, the pool that owns it. */
export interface ConnectionOwner {
  readonly adapter: ProtocolAdapter;
  readonly runId: string;
  readonly published: PublishedLog;
  readonly backoff: BackoffPolicy;
  readonly helloTimeoutMs: number;
  /** True once the pool is closing: drops are then expected and not retried. */
  readonly closing: boolean;
  /** In chaos runs: each drop and comeback, for every chaos event's impact. */
  readonly chaos: ChaosImpactRecorder | undefined;
  pod(name: string): PodState;
  /** fanoutMs: undefined when the frame says nothing of when it was published. */
  frameReceived(fanoutMs: number | undefined): void;
  connectFailed(pod: PodState, cause: string): void;
  disconnected(pod: PodState, closeCode: number): void;
  invalidFrame(pod: PodState, reason: string): void;
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

const noHelloCloseCode = 4000;
/** A recovered Socket.IO session's replay, held until its CONNECT ack; more than this is a broken server. */
const maxEarlyFrames = 10_000;

export class ClientConnection {
  private ws: WebSocket | undefined;
  private pod: PodState;
  private helloSeen = false;
  private everConnected = false;
  private resume = false;
  /** Highest seq seen on this connection, hello head included: the drain waits for the final head. */
  private highestSeq = -1;
  /** Publisher accounting only: highest probe n of this run seen per publisher, for the drain. */
  private readonly highestN: Map<string, number> | undefined;
  /** Socket.IO: the session id of the last connect and the offset of the last delivery. */
  private session: string | undefined;
  private offset: string | undefined;
  /** Reconnects whose session the backend recovered (the pid sent on reconnect came back). */
  recoveries = 0;
  /** Deliveries that came before this socket's hello, where the adapter allows that. */
  private early: { frame: DeliveryFrame; atMs: number }[] | undefined;
  private attempts = 0;
  /** When the current outage began: the drop of an open connection, or the first failed attempt. */
  private outageStartedAtMs: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private done = false;

  constructor(
    private readonly owner: ConnectionOwner,
    private readonly target: ConnectionTarget,
    readonly checker: DeliveryChecker,
  ) {
    this.pod = owner.pod(target.pod);
    this.highestN = checker.accounting === "publisher" ? new Map() : undefined;
  }

  get connected(): boolean {
    return this.helloSeen;
  }

  /** The pod this connection is attributed to: its target's, or the one its latest hello named. */
  get podName(): string {
    return this.pod.name;
  }

  /** Whether this connection has seen `seq` or later (or cannot see anything any more). */
  reached(seq: number): boolean {
    return this.highestSeq >= seq || this.done;
  }

  /** Whether this connection has seen every publisher's head probe or later (or cannot see anything any more). */
  reachedProbes(heads: ReadonlyMap<string, number>): boolean {
    if (this.done) return true;
    for (const [publisher, n] of heads) if ((this.highestN?.get(publisher) ?? 0) < n) return false;
    return true;
  }

  connect(): void {
    this.attempts += 1;
    const adapter = this.owner.adapter;
    let resume: ResumePosition | undefined;
    if (this.resume) {
      const since = this.checker.lastSeq ?? (this.highestSeq >= 0 ? this.highestSeq : undefined);
      resume = { seq: since, offset: this.offset, session: this.session };
    }
    const url = adapter.webSocketUrl(this.target.wsUrl, resume);
    const opening = adapter.openingFrames(resume);
    const ws = new WebSocket(url, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
      handshakeTimeout: this.owner.helloTimeoutMs,
      ...(this.target.localAddress === undefined ? {} : { localAddress: this.target.localAddress }),
    });
    this.ws = ws;
    ws.on("open", () => {
      for (const text of opening) ws.send(text);
      if (!adapter.sendsHello) {
        this.onHello(undefined, undefined, false, undefined, epochNowMs());
        return;
      }
      this.timer = setTimeout(() => {
        this.owner.connectFailed(this.pod, "no-hello");
        ws.close(noHelloCloseCode, "no hello frame");
      }, this.owner.helloTimeoutMs);
    });
    ws.on("message", (data: RawData) => this.onMessage(data));
    ws.on("error", (error: Error) => {
      // Closing a socket that is still connecting reports an error too; that one is ours, not a failure.
      if (!this.helloSeen && !this.done) this.owner.connectFailed(this.pod, connectErrorCause(error));
    });
    ws.on("close", (code: number) => this.onClose(code));
  }

  close(): void {
    this.done = true;
    clearTimeout(this.timer);
    this.ws?.close(1000, "run finished");
  }

  /** Ends the socket without a closing handshake (shutdown after the grace period). */
  terminate(): void {
    this.done = true;
    clearTimeout(this.timer);
    this.ws?.terminate();
  }

  get closed(): boolean {
    return this.ws === undefined || this.ws.readyState === WebSocket.CLOSED;
  }

  private onMessage(data: RawData): void {
    const atMs = epochNowMs();
    const frame = this.owner.adapter.readFrame(data.toString());
    if (frame.type === "delivery") {
      if (this.helloSeen) this.onDelivery(frame, atMs);
      else this.beforeHello(frame, atMs);
    } else if (frame.type === "ping") {
      this.ws?.send(frame.reply);
    } else if (frame.type === "hello") {
      this.onHello(frame.pod, frame.seq, frame.resume, frame.session, atMs);
    } else if (frame.type === "refused") {
      if (this.helloSeen) this.owner.invalidFrame(this.pod, frame.reason);
      else this.owner.connectFailed(this.pod, frame.reason);
      this.ws?.close(1000, "refused");
    } else if (frame.type === "reset") {
      this.checker.reset(atMs);
      this.owner.historyReset(this.pod, frame.epoch);
      this.owner.chaos?.historyReset();
    } else if (frame.type === "invalid") {
      this.owner.invalidFrame(this.pod, frame.reason);
    }
  }

  /** Holds a delivery that came before the hello where the protocol allows it (a recovered session's replay). */
  private beforeHello(frame: DeliveryFrame, atMs: number): void {
    if (!this.owner.adapter.deliversBeforeHello || (this.early?.length ?? 0) >= maxEarlyFrames) {
      this.owner.invalidFrame(this.pod, "delivery frame before hello");
      return;
    }
    this.early ??= [];
    this.early.push({ frame, atMs });
  }

  private onDelivery(frame: DeliveryFrame, atMs: number): void {
    const pod = this.pod;
    const verdict = this.checker.receive(frame, atMs);
    pod.framesReceived += 1;
    if (verdict === "duplicate") pod.duplicates += 1;
    else if (verdict === "out-of-order") pod.outOfOrder += 1;
    const seq = frame.seq;
    if (seq !== undefined && seq > this.highestSeq) this.highestSeq = seq;
    if (frame.offset !== undefined) this.offset = frame.offset;
    const probe = frame.probe;
    const publishedAtMs = frame.publishedAtMs;
    const cell = pod.cellFrom(frame.podOrigin);
    cell.received += 1;
    // A backend that gives no published time: fan-out is timed from the probe's send time instead.
    const fromMs = publishedAtMs ?? probe?.t;
    const fanoutMs = fromMs === undefined ? undefined : atMs - fromMs;
    if (fanoutMs !== undefined) {
      pod.fanoutSeries?.observe(fanoutMs / 1000);
      cell.fanout.recordMs(fanoutMs);
    }
    if (probe !== undefined && probe.run === this.owner.runId) {
      const e2eMs = atMs - probe.t;
      pod.recorder.e2e.recordMs(e2eMs);
      pod.e2eSeries?.observe(e2eMs / 1000);
      const highestN = this.highestN;
      if (highestN !== undefined && probe.n > (highestN.get(probe.publisher) ?? 0)) {
        highestN.set(probe.publisher, probe.n);
      }
      const published = this.owner.published;
      if (published.awaiting) published.seenInFrame(probe.publisher, probe.n, seq, publishedAtMs ?? atMs);
    }
    this.owner.frameReceived(fanoutMs);
  }

  private onHello(
    podName: string | undefined,
    seq: number | undefined,
    resume: boolean,
    session: string | undefined,
    atMs: number,
  ): void {
    clearTimeout(this.timer);
    if (this.helloSeen) {
      this.owner.invalidFrame(this.pod, "second hello on one connection");
      return;
    }
    this.helloSeen = true;
    this.resume = resume;
    if (session !== undefined && session === this.session) this.recoveries += 1;
    this.session = session;
    if (podName !== undefined && podName !== this.pod.name) this.pod = this.owner.pod(podName);
    if (seq !== undefined && seq > this.highestSeq) this.highestSeq = seq;
    this.checker.connected(atMs, seq === undefined ? undefined : { seq, resume });
    const pod = this.pod;
    pod.connectionOpened();
    if (this.everConnected && this.outageStartedAtMs !== undefined) {
      const reconnectMs = atMs - this.outageStartedAtMs;
      pod.recorder.connections.reconnects += 1;
      pod.recorder.reconnectTime.recordMs(reconnectMs);
      pod.reconnectTimeSeries?.observe(reconnectMs / 1000);
      this.owner.chaos?.reconnected(this, atMs);
    } else if (!this.everConnected) {
      pod.recorder.connections.opened += 1;
    }
    this.everConnected = true;
    this.attempts = 0;
    this.outageStartedAtMs = undefined;
    const early = this.early;
    if (early !== undefined) {
      this.early = undefined;
      for (const held of early) this.onDelivery(held.frame, held.atMs);
    }
  }

  private onClose(code: number): void {
    clearTimeout(this.timer);
    const atMs = epochNowMs();
    this.ws = undefined;
    this.early = undefined;
    if (this.helloSeen) {
      this.helloSeen = false;
      this.pod.open -= 1;
      this.checker.disconnected(atMs);
      this.outageStartedAtMs = atMs;
      if (!this.done && !this.owner.closing) {
        this.owner.disconnected(this.pod, code);
        this.owner.chaos?.disconnected(this, atMs);
      }
    } else if (!this.done) {
      this.pod.recorder.connections.failed += 1;
    }
    if (this.done || this.owner.closing) return;
    this.outageStartedAtMs ??= atMs;
    if (!mayRetry(this.attempts, atMs - this.outageStartedAtMs, this.owner.backoff)) {
      this.done = true;
      this.owner.gaveUp(this.pod, this.attempts);
      return;
    }
    this.timer = setTimeout(() => this.connect(), backoffDelayMs(this.attempts + 1, this.owner.backoff));
  }
}
