// One simulated client inside a subscriber VU: a k6/websockets connection to one pod that checks every frame
// with lib/core's DeliveryChecker and reconnects after a drop with backoff, resuming where it left off
// (crosspod: ?since=<last seq>; Socket.IO: pid and offset) when the pod's hello said it can. The target's
// protocol adapter builds the URL and opening frames and reads every frame, as in the Node engine.
// Many live in one VU: the websockets module runs them all on the VU's event loop, so a handler must stay
// short and never block.
import { clearTimeout, setTimeout, type TimeoutID } from "k6/timers";
import { WebSocket } from "k6/websockets";
import type {
  DeliveryFrame,
  ProtocolAdapter,
  ResumePosition,
} from "../../lib/core/adapters/protocol-adapter.js";
import { DeliveryChecker, type PublishedTrigger } from "../../lib/core/delivery-checker.js";
import type { DeliveryFigures, RunEvent } from "../../lib/core/report-model.js";
import { type BackoffPolicy, backoffDelayMs, mayRetry } from "../../lib/engine/reconnect-backoff.js";
import type { DiscoveredTarget } from "./k6-discovery.js";

/** What a connection reports to, and reads from, the VU that owns it. */
export interface ConnectionOwner {
  readonly adapter: ProtocolAdapter;
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
/** A recovered Socket.IO session's replay, held until its CONNECT ack; more than this is a broken server. */
const maxEarlyFrames = 10_000;

export class SubscriberConnection {
  readonly checker: DeliveryChecker;
  private socket: WebSocket | undefined;
  /** Socket.IO: the session id of the last connect and the offset of the last delivery. */
  private session: string | undefined;
  private offset: string | undefined;
  /** Without a seq, the drain's head: the highest probe n seen per publisher of this run. */
  private readonly highestN = new Map<string, number>();
  /** Deliveries that came before this socket's hello, where the adapter allows that. */
  private early: { frame: DeliveryFrame; atMs: number }[] | undefined;
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
    const { accounting } = owner.adapter;
    this.checker = new DeliveryChecker(accounting, accounting === "publisher" ? { runId: owner.runId } : {});
  }

  /** The pod this connection is attributed to: its target's, or the one its latest hello named. */
  get podName(): string {
    return this.pod;
  }

  connect(): void {
    if (this.done) return;
    this.attempts += 1;
    const { adapter } = this.owner;
    const resume: ResumePosition | undefined = this.resume
      ? { seq: this.checker.lastSeq, offset: this.offset, session: this.session }
      : undefined;
    const url = adapter.webSocketUrl(this.target.wsUrl, resume);
    const opening = adapter.openingFrames(resume);
    const socket = new WebSocket(url, null, { tags: { pod: this.pod } });
    this.socket = socket;
    socket.onopen = () => {
      for (const text of opening) socket.send(text);
      if (!adapter.sendsHello) {
        this.onHello(this.pod, undefined, false, undefined, Date.now());
        return;
      }
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

  /** Whether this connection has seen every publisher's last probe, or will see nothing more. */
  reachedProbes(heads: ReadonlyMap<string, number>): boolean {
    if (this.done) return true;
    for (const [publisher, n] of heads) if ((this.highestN.get(publisher) ?? 0) < n) return false;
    return true;
  }

  finish(published: readonly PublishedTrigger[], finalHeadSeq: number | undefined): DeliveryFigures {
    return this.checker.finish(published, finalHeadSeq);
  }

  private onMessage(text: string, atMs: number): void {
    const frame = this.owner.adapter.readFrame(text);
    if (frame.type === "delivery") {
      if (this.helloSeen) this.onDelivery(frame, atMs);
      else this.beforeHello(frame, atMs);
    } else if (frame.type === "ping") {
      this.socket?.send(frame.reply);
    } else if (frame.type === "hello") {
      this.onHello(frame.pod ?? this.pod, frame.seq, frame.resume, frame.session, atMs);
    } else if (frame.type === "refused") {
      this.owner.problem({ kind: "error", name: "refused", target: this.pod, detail: frame.reason }, atMs);
      this.socket?.close(1000, "refused");
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

  /** Holds a delivery that came before the hello where the protocol allows it (a recovered session's replay). */
  private beforeHello(frame: DeliveryFrame, atMs: number): void {
    if (!this.owner.adapter.deliversBeforeHello || (this.early?.length ?? 0) >= maxEarlyFrames) {
      this.owner.problem(
        { kind: "error", name: "invalid-frame", target: this.pod, detail: "delivery before hello" },
        atMs,
      );
      return;
    }
    this.early ??= [];
    this.early.push({ frame, atMs });
  }

  private onDelivery(frame: DeliveryFrame, atMs: number): void {
    this.checker.receive(frame, atMs);
    if (frame.offset !== undefined) this.offset = frame.offset;
    const probe = frame.probe;
    let e2eMs: number | undefined;
    if (probe !== undefined && probe.run === this.owner.runId) {
      e2eMs = atMs - probe.t;
      if (frame.seq === undefined && probe.n > (this.highestN.get(probe.publisher) ?? 0))
        this.highestN.set(probe.publisher, probe.n);
    }
    // A backend that gives no published time: fan-out is timed from the probe's send time instead.
    const fromMs = frame.publishedAtMs ?? probe?.t ?? atMs;
    this.owner.frame(this.pod, frame.podOrigin, atMs - fromMs, e2eMs, atMs);
  }

  private onHello(
    pod: string,
    seq: number | undefined,
    resume: boolean,
    session: string | undefined,
    atMs: number,
  ): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.helloSeen) {
      this.owner.problem({ kind: "error", name: "invalid-frame", target: pod, detail: "second hello" }, atMs);
      return;
    }
    this.helloSeen = true;
    this.resume = resume;
    this.session = session;
    this.pod = pod;
    this.checker.connected(atMs, seq === undefined ? undefined : { seq, resume });
    const reconnectMs =
      this.everConnected && this.outageStartedAtMs !== undefined ? atMs - this.outageStartedAtMs : undefined;
    this.owner.connectionUp(pod, !this.everConnected, reconnectMs, atMs);
    this.everConnected = true;
    this.attempts = 0;
    this.outageStartedAtMs = undefined;
    const early = this.early;
    if (early !== undefined) {
      this.early = undefined;
      for (const held of early) this.onDelivery(held.frame, held.atMs);
    }
  }

  /** The end of one socket, whichever of error and close reported it first. */
  private ended(socket: WebSocket, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.early = undefined;
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
