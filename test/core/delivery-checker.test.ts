import { describe, expect, it } from "vitest";
import {
  addDelivery,
  DeliveryChecker,
  DeliveryCheckerError,
  emptyDelivery,
  type PublishedTrigger,
} from "../../lib/core/delivery-checker.js";
import type { Probe } from "../../lib/core/probe.js";
import { deliverySchema } from "../../lib/core/report-model.js";

const hello = (seq: number, resume = true) => ({ seq, resume });

function publishedSeqs(from: number, to: number): PublishedTrigger[] {
  const triggers: PublishedTrigger[] = [];
  for (let seq = from; seq <= to; seq++) triggers.push({ seq, publisher: "p", n: seq, acceptedAtMs: seq });
  return triggers;
}

function receiveSeqs(checker: DeliveryChecker, seqs: readonly number[]): string[] {
  return seqs.map((seq) => checker.receive({ seq }, 0));
}

function probe(publisher: string, n: number, run = "run-1"): Probe {
  return { run, publisher, n, t: 0 };
}

describe("DeliveryChecker with seq accounting", () => {
  it("counts an in-order stream as fully delivered", () => {
    const checker = new DeliveryChecker("seq");
    checker.connected(0, hello(10));
    expect(receiveSeqs(checker, [11, 12, 13, 14])).toEqual(["ok", "ok", "ok", "ok"]);
    const figures = checker.finish(publishedSeqs(11, 14));
    expect(figures).toEqual({ ...emptyDelivery(), expected: 4, received: 4 });
    expect(deliverySchema.safeParse(figures).success).toBe(true);
  });

  it("counts a gap while connected as lost, with the missing seq as a sample", () => {
    const checker = new DeliveryChecker("seq");
    checker.connected(0, hello(10));
    receiveSeqs(checker, [11, 12, 14, 15]);
    expect(checker.finish(publishedSeqs(11, 15))).toMatchObject({
      expected: 5,
      received: 4,
      lost: 1,
      lostSamples: ["13"],
    });
  });

  it("counts a repeated seq as a duplicate and a late one as out-of-order", () => {
    const checker = new DeliveryChecker("seq");
    checker.connected(0, hello(10));
    expect(receiveSeqs(checker, [11, 13, 12, 13, 12])).toEqual([
      "ok",
      "ok",
      "out-of-order",
      "duplicate",
      "duplicate",
    ]);
    expect(checker.finish(publishedSeqs(11, 13))).toMatchObject({
      expected: 3,
      received: 3,
      lost: 0,
      duplicates: 2,
      outOfOrder: 1,
    });
  });

  it("expects nothing published before the first hello's head, nor after the final head", () => {
    const checker = new DeliveryChecker("seq");
    checker.connected(0, hello(10));
    receiveSeqs(checker, [11, 12]);
    expect(checker.finish(publishedSeqs(5, 14), 12)).toMatchObject({ expected: 2, received: 2, lost: 0 });
  });

  it("counts seqs published while down as missed when the pod does not resume (pubsub)", () => {
    const checker = new DeliveryChecker("seq");
    checker.connected(0, hello(10, false));
    receiveSeqs(checker, [11, 12]);
    checker.disconnected(1);
    checker.connected(2, hello(15, false));
    receiveSeqs(checker, [16, 17]);
    expect(checker.finish(publishedSeqs(11, 17))).toMatchObject({
      expected: 7,
      received: 4,
      lost: 0,
      missedWhileDisconnected: 3,
      recovered: 0,
    });
  });

  it("counts seqs published while down and backfilled after resume as recovered", () => {
    const checker = new DeliveryChecker("seq");
    checker.connected(0, hello(10));
    receiveSeqs(checker, [11, 12]);
    checker.disconnected(1);
    expect(checker.lastSeq).toBe(12);
    checker.connected(2, hello(15));
    expect(receiveSeqs(checker, [13, 14, 15, 16])).toEqual(["ok", "ok", "ok", "ok"]);
    expect(checker.finish(publishedSeqs(11, 16))).toMatchObject({
      expected: 6,
      received: 6,
      missedWhileDisconnected: 0,
      recovered: 3,
    });
  });

  it("counts everything after the last disconnect as missed when it never reconnects", () => {
    const checker = new DeliveryChecker("seq");
    checker.connected(0, hello(0));
    receiveSeqs(checker, [1, 2]);
    checker.disconnected(1);
    expect(checker.finish(publishedSeqs(1, 6))).toMatchObject({
      expected: 6,
      missedWhileDisconnected: 4,
      lost: 0,
    });
  });

  it("counts a frame processed just after the disconnect as received before the down window", () => {
    const checker = new DeliveryChecker("seq");
    checker.connected(0, hello(0));
    receiveSeqs(checker, [1]);
    checker.disconnected(1);
    receiveSeqs(checker, [2]);
    checker.connected(2, hello(5, false));
    receiveSeqs(checker, [6]);
    expect(checker.finish(publishedSeqs(1, 6))).toMatchObject({
      expected: 6,
      received: 3,
      missedWhileDisconnected: 3,
      recovered: 0,
      lost: 0,
    });
  });

  it("takes the window's end from the first frame when the reconnect has no hello", () => {
    const checker = new DeliveryChecker("seq");
    checker.connected(0, hello(0));
    receiveSeqs(checker, [1, 2]);
    checker.disconnected(1);
    checker.connected(2);
    receiveSeqs(checker, [6, 8]);
    expect(checker.finish(publishedSeqs(1, 8))).toMatchObject({
      expected: 8,
      missedWhileDisconnected: 3,
      lost: 1,
      lostSamples: ["7"],
    });
  });

  it("takes the baseline from the hello that follows an open without one", () => {
    const checker = new DeliveryChecker("seq");
    checker.connected(0);
    checker.connected(1, hello(20));
    receiveSeqs(checker, [21]);
    expect(checker.finish(publishedSeqs(18, 22))).toMatchObject({ expected: 2, received: 1, lost: 1 });
  });

  it("takes the baseline from the first frame when there is no hello at all", () => {
    const checker = new DeliveryChecker("seq");
    receiveSeqs(checker, [7, 9]);
    expect(checker.finish(publishedSeqs(1, 9))).toMatchObject({ expected: 3, received: 2, lost: 1 });
  });

  it("reports the resume position: undefined, then the hello's head, then the highest seq received", () => {
    const checker = new DeliveryChecker("seq");
    expect(checker.lastSeq).toBeUndefined();
    checker.connected(0, hello(41));
    expect(checker.lastSeq).toBe(41);
    receiveSeqs(checker, [43, 42]);
    expect(checker.lastSeq).toBe(43);
  });

  it("starts a new epoch on reset, attributing triggers by acceptance time", () => {
    const checker = new DeliveryChecker("seq");
    checker.connected(0, hello(100));
    receiveSeqs(checker, [101, 102]);
    checker.reset(1000);
    expect(checker.lastSeq).toBe(0);
    receiveSeqs(checker, [1, 3]);
    const before = publishedSeqs(101, 103);
    const after = [1, 2, 3].map((seq) => ({ seq, publisher: "p", n: seq, acceptedAtMs: 2000 + seq }));
    expect(checker.finish([...before, ...after])).toMatchObject({
      expected: 6,
      received: 4,
      lost: 2,
      resets: 1,
      duplicates: 0,
      outOfOrder: 0,
      lostSamples: ["103", "2"],
    });
  });

  it("treats a reset while disconnected as a down window from the new epoch's start", () => {
    const checker = new DeliveryChecker("seq");
    checker.connected(0, hello(100));
    checker.disconnected(10);
    checker.reset(20);
    checker.connected(30, hello(2, false));
    receiveSeqs(checker, [3]);
    const after = [1, 2, 3].map((seq) => ({ seq, publisher: "p", n: seq, acceptedAtMs: 25 }));
    expect(checker.finish(after)).toMatchObject({
      expected: 3,
      received: 1,
      missedWhileDisconnected: 2,
      lost: 0,
    });
  });

  it("keeps memory per gap, not per frame: 100,000 in-order frames hold one range", () => {
    const checker = new DeliveryChecker("seq");
    checker.connected(0, hello(0));
    for (let seq = 1; seq <= 100_000; seq++) checker.receive({ seq }, seq);
    expect(checker.gapCount).toBe(1);
    checker.receive({ seq: 100_005 }, 0);
    expect(checker.gapCount).toBe(2);
  });

  it("ignores frames without a usable seq for ordering but counts them as received", () => {
    const checker = new DeliveryChecker("seq");
    checker.connected(0, hello(0));
    expect(checker.receive({}, 0)).toBe("ok");
    expect(checker.receive({ seq: Number.NaN }, 0)).toBe("ok");
    expect(checker.finish([])).toMatchObject({ received: 2, expected: 0 });
  });

  it("expects nothing on a connection that never connected", () => {
    expect(new DeliveryChecker("seq").finish(publishedSeqs(1, 3))).toEqual(emptyDelivery());
  });

  it("can finish twice with the same answer", () => {
    const checker = new DeliveryChecker("seq");
    checker.connected(0, hello(0));
    receiveSeqs(checker, [1, 3]);
    expect(checker.finish(publishedSeqs(1, 3))).toEqual(checker.finish(publishedSeqs(1, 3)));
  });
});

describe("DeliveryChecker with publisher accounting", () => {
  const trigger = (publisher: string, n: number, acceptedAtMs: number): PublishedTrigger => ({
    publisher,
    n,
    acceptedAtMs,
  });

  it("judges order and duplicates per publisher by the probe's n", () => {
    const checker = new DeliveryChecker("publisher", { graceMs: 0 });
    checker.connected(0);
    const verdicts = [
      probe("a", 1),
      probe("b", 1),
      probe("a", 3),
      probe("b", 2),
      probe("a", 2),
      probe("a", 3),
      probe("b", 1),
    ].map((p) => checker.receive({ probe: p }, 1));
    expect(verdicts).toEqual(["ok", "ok", "ok", "ok", "out-of-order", "duplicate", "duplicate"]);
    const figures = checker.finish(
      [1, 2, 3].flatMap((n) => [trigger("a", n, 10 * n), trigger("b", n, 10 * n)]),
    );
    expect(figures).toMatchObject({
      expected: 6,
      received: 5,
      lost: 1,
      duplicates: 2,
      outOfOrder: 1,
      lostSamples: ["b:3"],
    });
  });

  it("expects triggers by acceptance time: missed while down, recovered when delivered anyway", () => {
    const checker = new DeliveryChecker("publisher", { graceMs: 10 });
    checker.connected(100);
    checker.receive({ probe: probe("a", 2) }, 150);
    checker.disconnected(200);
    checker.connected(400);
    checker.receive({ probe: probe("a", 4) }, 450);
    const figures = checker.finish([
      trigger("a", 1, 50),
      trigger("a", 2, 150),
      trigger("a", 3, 300),
      trigger("a", 4, 350),
      trigger("a", 5, 500),
    ]);
    expect(figures).toMatchObject({
      expected: 4,
      received: 2,
      lost: 1,
      missedWhileDisconnected: 1,
      recovered: 1,
    });
  });

  it("neither expects nor loses a missing trigger within the grace of a window's edge, but counts one that came", () => {
    const checker = new DeliveryChecker("publisher", { graceMs: 50 });
    checker.connected(1000);
    checker.receive({ probe: probe("a", 2) }, 1100);
    checker.disconnected(2000);
    const figures = checker.finish([
      trigger("a", 1, 980),
      trigger("a", 2, 1030),
      trigger("a", 3, 1970),
      trigger("a", 4, 2040),
    ]);
    expect(figures).toMatchObject({ expected: 1, received: 1, lost: 0, missedWhileDisconnected: 0 });
  });

  it("ignores frames from another run when a run id is set", () => {
    const checker = new DeliveryChecker("publisher", { runId: "run-1" });
    checker.connected(0);
    checker.receive({ probe: probe("a", 1, "old-run") }, 0);
    checker.receive({ probe: probe("a", 1) }, 0);
    expect(checker.finish([])).toMatchObject({ received: 1, duplicates: 0 });
  });

  it("tracks the highest seq when frames carry one, for resume", () => {
    const checker = new DeliveryChecker("publisher");
    checker.connected(0);
    checker.receive({ seq: 9, probe: probe("a", 1) }, 0);
    checker.receive({ seq: 7, probe: probe("a", 2) }, 0);
    expect(checker.lastSeq).toBe(9);
  });

  it("counts resets without changing the accounting", () => {
    const checker = new DeliveryChecker("publisher");
    checker.connected(0);
    checker.reset(5);
    expect(checker.finish([])).toMatchObject({ resets: 1 });
  });
});

describe("DeliveryChecker options", () => {
  it("rejects an unknown accounting and a bad grace, naming them", () => {
    expect(() => new DeliveryChecker("order" as "seq")).toThrow(/accounting "order"/);
    expect(() => new DeliveryChecker("publisher", { graceMs: -1 })).toThrow(DeliveryCheckerError);
    expect(() => new DeliveryChecker("publisher", { graceMs: Number.NaN })).toThrow(/graceMs NaN/);
  });
});

describe("addDelivery", () => {
  it("sums every count and keeps at most 20 lost samples", () => {
    const total = emptyDelivery();
    for (let i = 0; i < 3; i++) {
      addDelivery(total, {
        expected: 10,
        received: 9,
        lost: 8,
        missedWhileDisconnected: 1,
        recovered: 2,
        duplicates: 3,
        outOfOrder: 4,
        resets: 1,
        lostSamples: Array.from({ length: 8 }, (_, j) => `${i}-${j}`),
      });
    }
    expect(total).toMatchObject({
      expected: 30,
      received: 27,
      lost: 24,
      missedWhileDisconnected: 3,
      recovered: 6,
      duplicates: 9,
      outOfOrder: 12,
      resets: 3,
    });
    expect(total.lostSamples).toHaveLength(20);
    expect(total.lostSamples[0]).toBe("0-0");
    expect(deliverySchema.safeParse(total).success).toBe(true);
  });
});
