// One simulated client inside a subscriber VU: a k6/websockets connection to one pod that checks every frame
// with lib/core's DeliveryChecker and reconnects after a drop with backoff, resuming with ?since=<last seq>
// when the pod's hello said it can. Many live in one VU: the websockets module runs them all on the VU's
// event loop, so a handler must stay short and never block.
import { clearTimeout, setTimeout, type TimeoutID } from "k6/timers";
import { WebSocket } from "k6/websockets";
import { readCrosspodFrame } from "../../lib/core/adapters/crosspod-adapter.js";
import { DeliveryChecker, type PublishedTrigger } from "../../lib/core/delivery-checker.js";
import type { DeliveryFigures, RunEvent } from "../../lib/core/report-model.js";
import { type BackoffPolicy, backoffDelayMs, mayRetry } from "../../lib/engine/reconnect-backoff.js";
import type { DiscoveredTarget } from "./k6-discovery.js";
import { webSocketUrl } from "./k6-targets.js";

/** What a connection reports to, and reads from, the VU that owns it. */
export interface ConnectionOwner {
  readonly runId: string;
  readonly backoff: BackoffPolicy;
  readonly helloTimeoutMs: number;
  /** True once the VU is closing its connections: drops are then expected and not retried. */
  readonly closing: boolean;
  connectionUp(pod: string, first: boolean, reconnectMs: number | undefined, atMs: number): void;
  connectionDown(pod: string, atMs: number): void;
  connectFailed(pod: string, reason: string, atMs: number): void;
  frame(pod: string, origin: string, fanoutMs: number, e2eMs: number | undefined, atMs: number): void;
  problem(event: Omit<RunEvent, "t">, atMs: number): void;
}

/** A close code of our own for "the pod never said hello" (4000-4999 is for applications). */
const noHelloCloseCode = 4000;

export class SubscriberConnection {
  readonly checker = new DeliveryChecker("seq");
  private socket: WebSocket | undefined;
  private pod: string;
  private helloSeen = false;
  private everConnected = false;
  private resume: boolean;
  private attempts = 0;
  /** When the current outage began: the drop of an open connection, or the first failed attempt. */
  private outageStartedAtMs: number | undefined;
  private timer: TimeoutID | undefined;
  private done = false;

  constructor(
    private readonly owner: ConnectionOwner,
    private readonly target: DiscoveredTarget,
  ) {
    this.pod = target.pod;
    this.resume = target.resume;
  }

  /** The pod this connection is attributed to: its target's, or the one its latest hello named. */
  get podName(): string {
    return this.pod;
  }

  connect(): void {
    if (this.done) return;
    this.attempts += 1;
    const since = this.checker.lastSeq;
    const url = webSocketUrl(this.target.url, this.resume && since !== undefined ? since : undefined);
    const socket = new WebSocket(url, null, { tags: { pod: this.pod } });
    this.socket = socket;
    socket.onopen = () => {
      this.timer = setTimeout(() => {
        this.ended(socket, "no-hello");
        socket.close(noHelloCloseCode, "no hello frame");
      }, this.owner.helloTimeoutMs);
    };
    socket.onmessage = (event) => this.onMessage(String(event?.data ?? ""), Date.now());
    // A socket that never opened may report only an error, an open one an error and then a close.
    socket.onerror = (event) => {
      if (!this.helloSeen && this.socket === socket) this.ended(socket, event?.error ?? "error");
    };
    socket.onclose = () => this.ended(socket, "closed");
  }

  /** Closes for good (end of the run): the close that follows is not a drop. */
  close(): void {
    this.done = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.socket?.close(1000, "run finished");
  }

  /** Whether this connection has seen `seq` (or its hello's head is past it), or will see nothing more. */
  reached(seq: number): boolean {
    return this.done || (this.checker.lastSeq ?? -1) >= seq;
  }

  finish(published: readonly PublishedTrigger[], finalHeadSeq: number | undefined): DeliveryFigures {
    return this.checker.finish(published, finalHeadSeq);
  }

  private onMessage(text: string, atMs: number): void {
    const frame = readCrosspodFrame(text);
    if (frame.type === "delivery") {
      if (!this.helloSeen) {
        this.owner.problem(
          { kind: "error", name: "invalid-frame", target: this.pod, detail: "threat before hello" },
          atMs,
        );
        return;
      }
      this.checker.receive(frame, atMs);
      const e2eMs =
        frame.probe !== undefined && frame.probe.run === this.owner.runId ? atMs - frame.probe.t : undefined;
      this.owner.frame(this.pod, frame.podOrigin, atMs - (frame.publishedAtMs ?? atMs), e2eMs, atMs);
    } else if (frame.type === "hello") {
      this.onHello(frame.pod ?? this.pod, frame.seq ?? 0, frame.resume, atMs);
    } else if (frame.type === "reset") {
      this.checker.reset(atMs);
      this.owner.problem(
        { kind: "reset", name: "history-reset", target: this.pod, detail: `epoch ${frame.epoch}` },
        atMs,
      );
    } else if (frame.type === "invalid") {
      this.owner.problem(
        { kind: "error", name: "invalid-frame", target: this.pod, detail: frame.reason },
        atMs,
      );
    }
  }

  private onHello(pod: string, seq: number, resume: boolean, atMs: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.helloSeen) {
      this.owner.problem({ kind: "error", name: "invalid-frame", target: pod, detail: "second hello" }, atMs);
      return;
    }
    this.helloSeen = true;
    this.resume = resume;
    this.pod = pod;
    this.checker.connected(atMs, { seq, resume });
    const reconnectMs =
      this.everConnected && this.outageStartedAtMs !== undefined ? atMs - this.outageStartedAtMs : undefined;
    this.owner.connectionUp(pod, !this.everConnected, reconnectMs, atMs);
    this.everConnected = true;
    this.attempts = 0;
    this.outageStartedAtMs = undefined;
  }

  /** The end of one socket, whichever of error and close reported it first. */
  private ended(socket: WebSocket, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const atMs = Date.now();
    if (this.helloSeen) {
      this.helloSeen = false;
      this.checker.disconnected(atMs);
      this.outageStartedAtMs = atMs;
      this.owner.connectionDown(this.pod, atMs);
    } else {
      this.owner.connectFailed(this.pod, reason, atMs);
      this.outageStartedAtMs ??= atMs;
    }
    if (this.done || this.owner.closing) return;
    if (!mayRetry(this.attempts, atMs - this.outageStartedAtMs, this.owner.backoff)) {
      this.done = true;
      this.owner.problem(
        { kind: "error", name: "gave-up", target: this.pod, detail: `after ${this.attempts} attempts` },
        atMs,
      );
      return;
    }
    this.timer = setTimeout(() => this.connect(), backoffDelayMs(this.attempts + 1, this.owner.backoff));
  }
}
