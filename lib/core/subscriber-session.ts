// The one subscriber state machine both engines run: a session to one pod that dials, waits for the hello,
// holds deliveries that may precede it, judges every delivery with its DeliveryChecker, follows history
// resets, and after a drop reconnects with backoff, resuming where it left off (crosspod: ?since=<seq>;
// Socket.IO: pid and offset) when the pod's hello said it can. The runtime is passed in: how to dial a
// WebSocket (`ws` on Node, k6/websockets in k6), timers and the clock. The Node engine
// (lib/engine/client-connection.ts) and the k6 scenarios (scenarios/lib/k6-subscriber-connection.ts) only
// adapt their socket to it and turn its reports into their own counters, so both engines judge alike.
//
// Where the two former copies disagreed, this is the rule and why:
// - reached(seq), the drain's test: the connection received `seq`, or its current hello said the head was
//   already at `seq` without promising to resume. A hello that resumes (recover mode) promises the frames
//   up to its head, so only receiving them counts: ending the drain on the head alone would judge frames
//   still being backfilled as missed. A hello without resume (pubsub) promises nothing older, so waiting
//   for frames that will never come would only hold the drain to its timeout. A reset forgets the hello's
//   head: seqs restart, and a head of the old history says nothing of the new one.
// - A "refused" frame is the backend ending the session in-band: before the hello it is that attempt's
//   connect failure (its reason is the cause), after the hello a drop reported with its reason; either way
//   the socket is closed and the backoff decides whether to try again. It is never an invalid frame.
// - Each failed attempt is reported once, when its socket ends, with the first cause seen (refusal, no
//   hello in time, the socket's error, else "closed").
import type { DeliveryFrame, ProtocolAdapter, ResumePosition } from "./adapters/protocol-adapter.js";
import { type Accounting, DeliveryChecker, type Verdict } from "./delivery-checker.js";
import { type BackoffPolicy, backoffDelayMs, mayRetry } from "./reconnect-backoff.js";

/** One dialled socket, as the runtime gives it to the session. */
export interface SessionSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
  /** Ends the socket without a closing handshake, where the runtime can. */
  terminate?(): void;
}

/** What the runtime reports about one socket; the session ignores reports from a socket it has left. */
export interface SocketEvents {
  opened(): void;
  message(text: string): void;
  /** The socket failed (before or after opening); `cause` is a short machine-readable reason. */
  failed(cause: string): void;
  closed(code: number | undefined): void;
}

/** The runtime's effects, passed in so the state machine stays runtime-neutral and testable. */
export interface SessionRuntime {
  dial(url: string, events: SocketEvents): SessionSocket;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Epoch ms; receive times and latencies are taken from it. */
  nowMs(): number;
  /** For the backoff's jitter; default Math.random. */
  random?: () => number;
}

/** A delivery as the session judged it. */
export interface JudgedDelivery {
  frame: DeliveryFrame;
  verdict: Verdict;
  atMs: number;
  /** Receive time − published time (the probe's send time when the frame has none); undefined without either. */
  fanoutMs: number | undefined;
  /** Receive time − the probe's send time, for probes of this run only (others are replayed history). */
  e2eMs: number | undefined;
}

/** What a session reports to the engine that owns it. `pod` is the pod the session is attributed to now. */
export interface SessionListener {
  /** The session is up: a hello (or an open, for backends without one). reconnectMs: after an outage. */
  up(pod: string, atMs: number, first: boolean, reconnectMs: number | undefined): void;
  /** An open session ended; `expected` when the session had been closed for good (end of the run). */
  down(pod: string, atMs: number, closeCode: number | undefined, expected: boolean): void;
  /** One attempt ended before its session was up. */
  connectFailed(pod: string, cause: string, atMs: number): void;
  delivery(pod: string, delivery: JudgedDelivery): void;
  /** A frame that breaks the protocol (unreadable, delivery before hello, second hello). */
  invalidFrame(pod: string, reason: string, atMs: number): void;
  /** The backend ended an open session in-band (Socket.IO's disconnect, Engine.IO's close). */
  refused(pod: string, reason: string, atMs: number): void;
  historyReset(pod: string, epoch: string, atMs: number): void;
  gaveUp(pod: string, attempts: number, atMs: number): void;
}

export interface SessionOptions {
  adapter: ProtocolAdapter;
  /** How the checker judges frames: the adapter's accounting, unless the engine was told otherwise. */
  accounting: Accounting;
  runId: string;
  /** The pod's WebSocket URL without a resume position. */
  wsUrl: string;
  /** The pod name learnt at discovery; a hello that names another pod replaces it. */
  pod: string;
  backoff: BackoffPolicy;
  helloTimeoutMs: number;
}

/** A close code of our own for "the pod never said hello" (4000-4999 is for applications). */
export const noHelloCloseCode = 4000;
/** A recovered Socket.IO session's replay, held until its CONNECT ack; more than this is a broken server. */
const maxEarlyFrames = 10_000;

export class SubscriberSession {
  readonly checker: DeliveryChecker;
  /** Reconnects whose session the backend recovered (the pid sent on reconnect came back). */
  recoveries = 0;
  private podName: string;
  /** Each dial's number; reports from an older socket are ignored. */
  private dialled = 0;
  private socket: SessionSocket | undefined;
  /** The current attempt's first failure cause, reported when its socket ends. */
  private failureCause: string | undefined;
  private up = false;
  private everUp = false;
  private resume = false;
  /** The current hello's head seq (cleared by a reset): see reached(). */
  private helloHeadSeq: number | undefined;
  /** Publisher accounting: the drain's position, the highest probe n of this run per publisher. */
  private readonly highestN: Map<string, number> | undefined;
  /** Socket.IO: the session id of the last connect and the offset of the last delivery. */
  private session: string | undefined;
  private offset: string | undefined;
  /** Deliveries that came before this socket's hello, where the adapter allows that. */
  private early: { frame: DeliveryFrame; atMs: number }[] | undefined;
  private attempts = 0;
  /** When the current outage began: the drop of an open session, or the end of the first failed attempt. */
  private outageStartedAtMs: number | undefined;
  private timer: unknown;
  private done = false;

  constructor(
    private readonly options: SessionOptions,
    private readonly runtime: SessionRuntime,
    private readonly listener: SessionListener,
  ) {
    this.podName = options.pod;
    const { accounting } = options;
    this.checker = new DeliveryChecker(
      accounting,
      accounting === "publisher" ? { runId: options.runId } : {},
    );
    this.highestN = accounting === "publisher" ? new Map() : undefined;
  }

  /** The pod this session is attributed to: its target's, or the one its latest hello named. */
  get pod(): string {
    return this.podName;
  }

  /** Whether the session is up (hello seen on the current socket). */
  get connected(): boolean {
    return this.up;
  }

  /** True once closed for good or given up: nothing more will be received. */
  get finished(): boolean {
    return this.done;
  }

  /** Whether this session has `seq` (see the header for why a resuming hello's head does not count). */
  reached(seq: number): boolean {
    if (this.done || (this.checker.lastSeq ?? Number.NEGATIVE_INFINITY) >= seq) return true;
    return !this.resume && this.helloHeadSeq !== undefined && this.helloHeadSeq >= seq;
  }

  /** Whether this session has every publisher's head probe (publisher accounting's drain). */
  reachedProbes(heads: ReadonlyMap<string, number>): boolean {
    if (this.done) return true;
    for (const [publisher, n] of heads) if ((this.highestN?.get(publisher) ?? 0) < n) return false;
    return true;
  }

  /** Dials the pod (the first attempt, or a retry the backoff scheduled). */
  connect(): void {
    if (this.done) return;
    this.attempts += 1;
    this.failureCause = undefined;
    const { adapter } = this.options;
    const resume = this.resume ? this.resumePosition() : undefined;
    const opening = adapter.openingFrames(resume);
    const id = ++this.dialled;
    const current = () => id === this.dialled && this.socket !== undefined;
    this.socket = this.runtime.dial(adapter.webSocketUrl(this.options.wsUrl, resume), {
      opened: () => {
        if (current()) this.onOpen(opening);
      },
      message: (text) => {
        if (current()) this.onMessage(text, this.runtime.nowMs());
      },
      failed: (cause) => {
        if (current()) this.failureCause ??= cause;
      },
      closed: (code) => {
        if (current()) this.onEnded(code);
      },
    });
  }

  /** Closes for good (end of the run): the drop that follows is expected and not retried. */
  close(): void {
    this.done = true;
    this.runtime.clearTimeout(this.timer);
    this.socket?.close(1000, "run finished");
  }

  /** Where to resume: the last seq received, or the hello's head when no frame told one. */
  private resumePosition(): ResumePosition {
    return { seq: this.checker.lastSeq ?? this.helloHeadSeq, offset: this.offset, session: this.session };
  }

  private onOpen(opening: readonly string[]): void {
    const socket = this.socket as SessionSocket;
    for (const text of opening) socket.send(text);
    if (!this.options.adapter.sendsHello) {
      this.onHello(undefined, undefined, false, undefined, this.runtime.nowMs());
      return;
    }
    this.timer = this.runtime.setTimeout(() => {
      this.failureCause ??= "no-hello";
      socket.close(noHelloCloseCode, "no hello frame");
    }, this.options.helloTimeoutMs);
  }

  private onMessage(text: string, atMs: number): void {
    const frame = this.options.adapter.readFrame(text);
    switch (frame.type) {
      case "delivery":
        if (this.up) this.onDelivery(frame, atMs);
        else this.beforeHello(frame, atMs);
        return;
      case "ping":
        this.socket?.send(frame.reply);
        return;
      case "hello":
        this.onHello(frame.pod, frame.seq, frame.resume, frame.session, atMs);
        return;
      case "refused":
        if (this.up) this.listener.refused(this.podName, frame.reason, atMs);
        else this.failureCause ??= frame.reason;
        this.socket?.close(1000, "refused");
        return;
      case "reset":
        this.helloHeadSeq = undefined;
        this.checker.reset(atMs);
        this.listener.historyReset(this.podName, frame.epoch, atMs);
        return;
      case "invalid":
        this.listener.invalidFrame(this.podName, frame.reason, atMs);
        return;
      case "ignored":
        return;
    }
  }

  /** Holds a delivery that came before the hello where the protocol allows it (a recovered session's replay). */
  private beforeHello(frame: DeliveryFrame, atMs: number): void {
    if (!this.options.adapter.deliversBeforeHello || (this.early?.length ?? 0) >= maxEarlyFrames) {
      this.listener.invalidFrame(this.podName, "delivery frame before hello", atMs);
      return;
    }
    this.early ??= [];
    this.early.push({ frame, atMs });
  }

  private onDelivery(frame: DeliveryFrame, atMs: number): void {
    const verdict = this.checker.receive(frame, atMs);
    if (frame.offset !== undefined) this.offset = frame.offset;
    const probe = frame.probe;
    let e2eMs: number | undefined;
    if (probe !== undefined && probe.run === this.options.runId) {
      e2eMs = atMs - probe.t;
      const highestN = this.highestN;
      if (highestN !== undefined && probe.n > (highestN.get(probe.publisher) ?? 0))
        highestN.set(probe.publisher, probe.n);
    }
    // A backend that gives no published time: fan-out is timed from the probe's send time instead.
    const fromMs = frame.publishedAtMs ?? probe?.t;
    const fanoutMs = fromMs === undefined ? undefined : atMs - fromMs;
    this.listener.delivery(this.podName, { frame, verdict, atMs, fanoutMs, e2eMs });
  }

  private onHello(
    pod: string | undefined,
    seq: number | undefined,
    resume: boolean,
    session: string | undefined,
    atMs: number,
  ): void {
    this.runtime.clearTimeout(this.timer);
    if (this.up) {
      this.listener.invalidFrame(this.podName, "second hello on one connection", atMs);
      return;
    }
    this.up = true;
    this.resume = resume;
    this.helloHeadSeq = seq;
    if (session !== undefined && session === this.session) this.recoveries += 1;
    this.session = session;
    if (pod !== undefined) this.podName = pod;
    this.checker.connected(atMs, seq === undefined ? undefined : { seq, resume });
    const reconnectMs =
      this.everUp && this.outageStartedAtMs !== undefined ? atMs - this.outageStartedAtMs : undefined;
    this.listener.up(this.podName, atMs, !this.everUp, reconnectMs);
    this.everUp = true;
    this.attempts = 0;
    this.outageStartedAtMs = undefined;
    const early = this.early;
    if (early !== undefined) {
      this.early = undefined;
      for (const held of early) this.onDelivery(held.frame, held.atMs);
    }
  }

  /** The end of one socket: a drop of an open session or a failed attempt; then retry or give up. */
  private onEnded(code: number | undefined): void {
    this.runtime.clearTimeout(this.timer);
    const atMs = this.runtime.nowMs();
    this.socket = undefined;
    this.early = undefined;
    if (this.up) {
      this.up = false;
      this.checker.disconnected(atMs);
      this.outageStartedAtMs = atMs;
      this.listener.down(this.podName, atMs, code, this.done);
    } else if (!this.done) {
      this.listener.connectFailed(this.podName, this.failureCause ?? "closed", atMs);
      this.outageStartedAtMs ??= atMs;
    }
    if (this.done) return;
    const outageMs = atMs - (this.outageStartedAtMs ?? atMs);
    if (!mayRetry(this.attempts, outageMs, this.options.backoff)) {
      this.done = true;
      this.listener.gaveUp(this.podName, this.attempts, atMs);
      return;
    }
    const delayMs = backoffDelayMs(this.attempts + 1, this.options.backoff, this.runtime.random);
    this.timer = this.runtime.setTimeout(() => this.connect(), delayMs);
  }
}
