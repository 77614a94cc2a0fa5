// One simulated client inside a subscriber VU: lib/core's SubscriberSession (hello, early frames, reset,
// delivery checks, drop, backoff, resume) over a k6/websockets connection, as the Node engine runs it over
// `ws`, with its reports passed on to the VU. Many live in one VU: the websockets module runs them all on
// the VU's event loop, so a handler must stay short and never block.
import type { ProtocolAdapter } from "../../lib/core/adapters/protocol-adapter.js";
import type { DeliveryChecker, PublishedTrigger } from "../../lib/core/delivery-checker.js";
import type { BackoffPolicy } from "../../lib/core/reconnect-backoff.js";
import type { DeliveryFigures, RunEvent } from "../../lib/core/report-model.js";
import {
  type JudgedDelivery,
  type SessionListener,
  type SessionRuntime,
  SubscriberSession,
} from "../../lib/core/subscriber-session.js";
import type { DiscoveredTarget } from "../../lib/core/target-discovery.js";
import { dialWebSocket, k6Timers } from "./k6-dial.js";

/** What a connection reports to, and reads from, the VU that owns it. */
export interface ConnectionOwner {
  readonly adapter: ProtocolAdapter;
  readonly runId: string;
  readonly backoff: BackoffPolicy;
  readonly helloTimeoutMs: number;
  connectionUp(pod: string, first: boolean, reconnectMs: number | undefined, atMs: number): void;
  /** expected: the connection had been closed for good (end of the run). */
  connectionDown(pod: string, atMs: number, expected: boolean): void;
  connectFailed(pod: string, reason: string, atMs: number): void;
  /** fanoutMs: undefined when the frame says nothing of when it was published. */
  frame(
    pod: string,
    origin: string,
    fanoutMs: number | undefined,
    e2eMs: number | undefined,
    atMs: number,
  ): void;
  problem(event: Omit<RunEvent, "t">, atMs: number): void;
}

export class SubscriberConnection implements SessionListener {
  private readonly session: SubscriberSession;

  constructor(
    private readonly owner: ConnectionOwner,
    target: Pick<DiscoveredTarget, "wsUrl" | "pod">,
  ) {
    const { adapter } = owner;
    this.session = new SubscriberSession(
      {
        adapter,
        accounting: adapter.accounting,
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

  connect(): void {
    this.session.connect();
  }

  /** Closes for good (end of the run): the close that follows is not a drop. */
  close(): void {
    this.session.close();
  }

  reached(seq: number): boolean {
    return this.session.reached(seq);
  }

  reachedProbes(heads: ReadonlyMap<string, number>): boolean {
    return this.session.reachedProbes(heads);
  }

  finish(published: readonly PublishedTrigger[], finalHeadSeq: number | undefined): DeliveryFigures {
    return this.session.checker.finish(published, finalHeadSeq);
  }

  up(pod: string, atMs: number, first: boolean, reconnectMs: number | undefined): void {
    this.owner.connectionUp(pod, first, reconnectMs, atMs);
  }

  down(pod: string, atMs: number, _closeCode: number | undefined, expected: boolean): void {
    this.owner.connectionDown(pod, atMs, expected);
  }

  connectFailed(pod: string, cause: string, atMs: number): void {
    this.owner.connectFailed(pod, cause, atMs);
  }

  delivery(pod: string, { frame, atMs, fanoutMs, e2eMs }: JudgedDelivery): void {
    this.owner.frame(pod, frame.podOrigin, fanoutMs, e2eMs, atMs);
  }

  invalidFrame(pod: string, reason: string, atMs: number): void {
    this.owner.problem({ kind: "error", name: "invalid-frame", target: pod, detail: reason }, atMs);
  }

  refused(pod: string, reason: string, atMs: number): void {
    this.owner.problem({ kind: "error", name: "refused", target: pod, detail: reason }, atMs);
  }

  historyReset(pod: string, epoch: string, atMs: number): void {
    this.owner.problem({ kind: "reset", name: "history-reset", target: pod, detail: `epoch ${epoch}` }, atMs);
  }

  gaveUp(pod: string, attempts: number, atMs: number): void {
    this.owner.problem(
      { kind: "error", name: "gave-up-reconnecting", target: pod, detail: `after ${attempts} attempts` },
      atMs,
    );
  }

  /** k6/websockets and k6/timers, as the session needs them. */
  private runtime(): SessionRuntime {
    return {
      ...k6Timers,
      nowMs: () => Date.now(),
      dial: (url, events) =>
        dialWebSocket(url, events, { pod: this.session.pod }, () => this.session.connected),
    };
  }
}
