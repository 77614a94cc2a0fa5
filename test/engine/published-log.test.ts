import { describe, expect, it } from "vitest";
import { PublishedLog } from "../../lib/engine/published-log.js";

describe("published log", () => {
  it("keeps accepted triggers in seq order and tracks the head", () => {
    const log = new PublishedLog();
    log.sending("p", 1);
    log.sending("p", 2);
    log.accepted(8, "p", 2, 200);
    log.accepted(7, "p", 1, 100);
    expect(log.sorted().map((entry) => entry.seq)).toEqual([7, 8]);
    expect(log.headSeq).toBe(8);
    expect(log.awaiting).toBe(false);
  });

  it("adds a trigger without a reply once a frame shows it, whether the frame came before or after the failure", () => {
    const log = new PublishedLog();
    log.sending("p", 1);
    log.seenInFrame("p", 1, 5, 50);
    log.failed("p", 1, false);
    log.sending("p", 2);
    log.failed("p", 2, false);
    expect(log.awaiting).toBe(true);
    log.seenInFrame("p", 2, 6, 60);
    expect(log.sorted()).toEqual([
      { seq: 5, publisher: "p", n: 1, acceptedAtMs: 50 },
      { seq: 6, publisher: "p", n: 2, acceptedAtMs: 60 },
    ]);
    expect(log.confirmedByFrames).toBe(2);
    expect(log.awaiting).toBe(false);
  });

  it("drops a rejected trigger nobody received and ignores other publishers' frames", () => {
    const log = new PublishedLog();
    log.sending("p", 1);
    log.seenInFrame("someone-else", 1, 9, 90);
    log.failed("p", 1, true);
    expect(log.sorted()).toEqual([]);
    expect(log.headSeq).toBeUndefined();
    expect(log.awaiting).toBe(false);
  });

  it("keys triggers by publisher and n, with each publisher's highest n as its drain head", () => {
    const log = new PublishedLog();
    log.sending("p-0", 1);
    log.sending("p-1", 1);
    log.seenInFrame("p-1", 1, undefined, 10);
    log.failed("p-1", 1, false);
    log.accepted(undefined, "p-0", 1, 20);
    log.sending("p-0", 2);
    log.failed("p-0", 2, false);
    expect(log.awaiting).toBe(true);
    log.seenInFrame("p-0", 2, undefined, 30);
    expect(log.awaiting).toBe(false);
    expect(log.sorted()).toEqual([
      { publisher: "p-0", n: 1, acceptedAtMs: 20 },
      { publisher: "p-0", n: 2, acceptedAtMs: 30 },
      { publisher: "p-1", n: 1, acceptedAtMs: 10 },
    ]);
    expect(Object.fromEntries(log.heads)).toEqual({ "p-0": 2, "p-1": 1 });
  });
});
