import { describe, expect, it } from "vitest";
import { crosspodAdapter } from "../../lib/core/adapters/crosspod-adapter.js";
import type { ProtocolAdapter } from "../../lib/core/adapters/protocol-adapter.js";
import type { Accounting, PublishedTrigger } from "../../lib/core/delivery-checker.js";
import {
  type JudgedDelivery,
  noHelloCloseCode,
  type SessionListener,
  SubscriberSession,
} from "../../lib/core/subscriber-session.js";
import { helloFrame, resetFrame, threatFrame } from "./support/crosspod-frames.js";
import { ScriptedRuntime } from "./support/scripted-runtime.js";

const pod = "pod-a";
const wsUrl = "ws://pod-a.test/ws";
const backoff = { initialDelayMs: 100, maxDelayMs: 1_000, maxAttempts: 3, giveUpAfterMs: 60_000 };
const helloTimeoutMs = 500;
/** The first retry is attempt 2: uniform in [100, 200] ms, 150 ms with the scripted runtime's jitter. */
const firstRetryMs = 150;

/** Everything the session reported, in order, as short lines, plus the deliveries themselves. */
class RecordingListener implements SessionListener {
  readonly log: string[] = [];
  readonly deliveries: JudgedDelivery[] = [];
  up(pod: string, _atMs: number, first: boolean, reconnectMs: number | undefined): void {
    this.log.push(
      `up ${pod}${first ? " first" : ""}${reconnectMs === undefined ? "" : ` after ${reconnectMs} ms`}`,
    );
  }
  down(pod: string, _atMs: number, closeCode: number | undefined, expected: boolean): void {
    this.log.push(`down ${pod} ${closeCode}${expected ? " expected" : ""}`);
  }
  connectFailed(pod: string, cause: string): void {
    this.log.push(`connect-failed ${pod} ${cause}`);
  }
  delivery(_pod: string, delivery: JudgedDelivery): void {
    this.deliveries.push(delivery);
    this.log.push(`delivery ${delivery.frame.seq} ${delivery.verdict}`);
  }
  invalidFrame(pod: string, reason: string): void {
    this.log.push(`invalid ${pod} ${reason}`);
  }
  refused(pod: string, reason: string): void {
    this.log.push(`refused ${pod} ${reason}`);
  }
  historyReset(pod: string, epoch: string): void {
    this.log.push(`reset ${pod} ${epoch}`);
  }
  gaveUp(pod: string, attempts: number): void {
    this.log.push(`gave-up ${pod} ${attempts}`);
  }
}

function startSession(adapter: ProtocolAdapter = crosspodAdapter(), accounting: Accounting = "seq") {
  const runtime = new ScriptedRuntime();
  const listener = new RecordingListener();
  const session = new SubscriberSession(
    { adapter, accounting, runId: "run-1", wsUrl, pod, backoff, helloTimeoutMs },
    runtime,
    listener,
  );
  session.connect();
  return { runtime, listener, session };
}

function published(seqs: number[], acceptedAtMs = 0): PublishedTrigger[] {
  return seqs.map((seq) => ({ seq, publisher: "p", n: seq, acceptedAtMs }));
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A crosspod adapter that also reads "refused:<reason>" as the backend ending the session in-band. */
function refusingAdapter(): ProtocolAdapter {
  const adapter = crosspodAdapter();
  return {
    ...adapter,
    readFrame: (text) =>
      text.startsWith("refused:") ? { type: "refused", reason: text.slice(8) } : adapter.readFrame(text),
  };
}

describe("SubscriberSession", () => {
  it("judges a gap, a duplicate and a swap on one connection exactly", () => {
    const { runtime, listener, session } = startSession();
    const at = runtime.nowMs();
    runtime.socket
      .open()
      .push(helloFrame(pod, 0, false), ...[1, 2, 4, 4, 6, 5].map((seq) => threatFrame(seq, "pod-b", at - 3)));
    expect(listener.log).toEqual([
      `up ${pod} first`,
      "delivery 1 ok",
      "delivery 2 ok",
      "delivery 4 ok",
      "delivery 4 duplicate",
      "delivery 6 ok",
      "delivery 5 out-of-order",
    ]);
    expect(listener.deliveries[0]?.fanoutMs).toBe(3);
    expect(session.checker.finish(published(range(1, 6)), 6)).toMatchObject({
      expected: 6,
      received: 5,
      lost: 1,
      lostSamples: ["3"],
      duplicates: 1,
      outOfOrder: 1,
      missedWhileDisconnected: 0,
    });
  });

  it("holds deliveries that come before the hello where the adapter allows it, and judges them after it", () => {
    const { runtime, listener, session } = startSession({ ...crosspodAdapter(), deliversBeforeHello: true });
    runtime.socket.open().push(threatFrame(5, pod, 0), threatFrame(6, pod, 0));
    expect(listener.log).toEqual([]);
    runtime.socket.push(helloFrame(pod, 4, true));
    expect(listener.log).toEqual([`up ${pod} first`, "delivery 5 ok", "delivery 6 ok"]);
    expect(session.checker.finish(published([5, 6]), 6)).toMatchObject({ expected: 2, received: 2, lost: 0 });
  });

  it("calls a delivery before the hello invalid where the adapter does not allow it", () => {
    const { runtime, listener } = startSession();
    runtime.socket.open().push(threatFrame(5, pod, 0), helloFrame(pod, 5, true), helloFrame(pod, 5, true));
    expect(listener.log).toEqual([
      `invalid ${pod} delivery frame before hello`,
      `up ${pod} first`,
      `invalid ${pod} second hello on one connection`,
    ]);
  });

  it("starts a new epoch on a reset, and forgets the old history's head", () => {
    const { runtime, listener, session } = startSession();
    runtime.socket.open().push(helloFrame(pod, 100, false), threatFrame(101, pod, 0));
    expect(session.reached(101)).toBe(true);
    runtime.advance(10);
    runtime.socket.push(resetFrame("e2"));
    // The old head says nothing of the new history's seqs.
    expect(session.reached(101)).toBe(false);
    runtime.socket.push(threatFrame(1, pod, 0), threatFrame(2, pod, 0));
    expect(session.reached(2)).toBe(true);
    expect(listener.log).toContain(`reset ${pod} e2`);
    const before = published([101], runtime.nowMs() - 5);
    const after = published([1, 2], runtime.nowMs() + 5);
    expect(session.checker.finish([...before, ...after], 2)).toMatchObject({
      expected: 3,
      received: 3,
      lost: 0,
      resets: 1,
    });
  });

  it("resumes from the last seq received after a drop mid-backfill, and counts the backfill as recovered", () => {
    const { runtime, listener, session } = startSession();
    runtime.socket.open().push(helloFrame(pod, 0, true), threatFrame(1, pod, 0), threatFrame(2, pod, 0));
    runtime.socket.end(1006);
    runtime.advance(firstRetryMs);
    expect(runtime.sockets).toHaveLength(2);
    expect(runtime.socket.url).toBe(`${wsUrl}?since=2`);
    runtime.socket.open().push(helloFrame(pod, 5, true), threatFrame(3, pod, 0));
    // A resuming hello promises the backfill: its head alone is not reached.
    expect(session.reached(5)).toBe(false);
    runtime.socket.end(1006);
    runtime.advance(firstRetryMs);
    expect(runtime.socket.url).toBe(`${wsUrl}?since=3`);
    runtime.socket.open().push(helloFrame(pod, 5, true), threatFrame(4, pod, 0), threatFrame(5, pod, 0));
    expect(session.reached(5)).toBe(true);
    expect(listener.log.filter((line) => !line.startsWith("delivery"))).toEqual([
      `up ${pod} first`,
      `down ${pod} 1006`,
      `up ${pod} after 150 ms`,
      `down ${pod} 1006`,
      `up ${pod} after 150 ms`,
    ]);
    expect(session.checker.finish(published(range(1, 5)), 5)).toMatchObject({
      expected: 5,
      received: 5,
      lost: 0,
      recovered: 3,
      missedWhileDisconnected: 0,
    });
  });

  it("counts a hello without resume as reached at its head: nothing older will come", () => {
    const { runtime, session } = startSession();
    runtime.socket.open().push(helloFrame(pod, 0, false), threatFrame(1, pod, 0));
    runtime.socket.end(1001);
    runtime.advance(firstRetryMs);
    expect(runtime.socket.url).toBe(wsUrl);
    runtime.socket.open().push(helloFrame(pod, 5, false));
    expect(session.reached(5)).toBe(true);
    expect(session.checker.finish(published(range(1, 5)), 5)).toMatchObject({
      expected: 5,
      received: 1,
      lost: 0,
      missedWhileDisconnected: 4,
    });
  });

  it("fails an attempt that a refusal ends before its hello, and reports a refusal after it before the drop", () => {
    const { runtime, listener } = startSession(refusingAdapter());
    runtime.socket.open().push("refused:busy");
    runtime.advance(0);
    expect(runtime.sockets[0]?.closedWith).toBe(1000);
    runtime.advance(firstRetryMs);
    runtime.socket.open().push(helloFrame(pod, 0, true), "refused:kicked");
    runtime.advance(0);
    expect(listener.log).toEqual([
      `connect-failed ${pod} busy`,
      `up ${pod} first`,
      `refused ${pod} kicked`,
      `down ${pod} 1000`,
    ]);
  });

  it("fails attempts without a hello in time, retries with backoff and gives up after the policy's attempts", () => {
    const { runtime, listener, session } = startSession();
    runtime.socket.open();
    runtime.advance(helloTimeoutMs);
    expect(runtime.sockets[0]?.closedWith).toBe(noHelloCloseCode);
    runtime.advance(firstRetryMs);
    runtime.socket.fail("ECONNREFUSED").end();
    runtime.advance(1_000);
    runtime.socket.end();
    expect(listener.log).toEqual([
      `connect-failed ${pod} no-hello`,
      `connect-failed ${pod} ECONNREFUSED`,
      `connect-failed ${pod} closed`,
      `gave-up ${pod} 3`,
    ]);
    expect(runtime.sockets).toHaveLength(3);
    expect(session.finished).toBe(true);
    expect(session.reached(1_000)).toBe(true);
    expect(runtime.pendingTimers).toBe(0);
  });

  it("ends for good on close(): the drop is expected and nothing is retried", () => {
    const { runtime, listener, session } = startSession();
    const socket = runtime.socket.open().push(helloFrame(pod, 0, true));
    runtime.advance(10);
    listener.log.length = 0;
    session.close();
    runtime.advance(10_000);
    expect(socket.closedWith).toBe(1000);
    expect(listener.log).toEqual([`down ${pod} 1000 expected`]);
    expect(runtime.sockets).toHaveLength(1);
  });

  it("drains publisher accounting on each publisher's last probe of this run, seq or not", () => {
    const { runtime, session } = startSession(crosspodAdapter(), "publisher");
    const probe = (publisher: string, n: number, run = "run-1") => ({ run, publisher, n, t: 0 });
    runtime.socket.open().push(helloFrame(pod, 0, true));
    runtime.socket.push(
      threatFrame(1, pod, 0, probe("a", 1)),
      threatFrame(2, pod, 0, probe("b", 7, "other")),
    );
    const heads = new Map([
      ["a", 1],
      ["b", 1],
    ]);
    expect(session.reachedProbes(heads)).toBe(false);
    runtime.socket.push(threatFrame(3, pod, 0, probe("b", 1)));
    expect(session.reachedProbes(heads)).toBe(true);
  });
});
