import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Accounting, DeliveryChecker, type PublishedTrigger } from "../../lib/core/delivery-checker.js";
import type { DeliveryFigures } from "../../lib/core/report-model.js";
import { buildScenario, planArbitrary, type Scenario, scenarioGraceMs } from "./delivery-scenario.js";

const runId = "run-prop";

function replay(scenario: Scenario, accounting: Accounting): DeliveryChecker {
  const checker = new DeliveryChecker(accounting, { graceMs: scenarioGraceMs, runId });
  for (const event of scenario.events) {
    if (event.kind === "connect") checker.connected(event.atMs, event.hello);
    else if (event.kind === "disconnect") checker.disconnected(event.atMs);
    else checker.receive(event, event.atMs);
  }
  return checker;
}

describe.each(["seq", "publisher"] as const)(
  "DeliveryChecker with %s accounting, on injected faults",
  (accounting) => {
    it("reports exactly the injected lost, duplicate, out-of-order, missed and recovered counts", () => {
      fc.assert(
        fc.property(planArbitrary, (plan) => {
          const scenario = buildScenario(plan, accounting, runId);
          const figures = replay(scenario, accounting).finish(scenario.published);
          expect({
            expected: figures.expected,
            received: figures.received,
            lost: figures.lost,
            missedWhileDisconnected: figures.missedWhileDisconnected,
            recovered: figures.recovered,
            duplicates: figures.duplicates,
            outOfOrder: figures.outOfOrder,
          }).toEqual(scenario.injected);
          expect(figures.lostSamples.length).toBe(Math.min(20, scenario.injected.lost));
        }),
        { numRuns: 200 },
      );
    });

    it("returns per frame the verdicts the counts are made of", () => {
      fc.assert(
        fc.property(planArbitrary, (plan) => {
          const scenario = buildScenario(plan, accounting, runId);
          const checker = new DeliveryChecker(accounting, { graceMs: scenarioGraceMs, runId });
          const verdicts = { ok: 0, duplicate: 0, "out-of-order": 0 };
          for (const event of scenario.events) {
            if (event.kind === "connect") checker.connected(event.atMs, event.hello);
            else if (event.kind === "disconnect") checker.disconnected(event.atMs);
            else verdicts[checker.receive(event, event.atMs)]++;
          }
          expect(verdicts.duplicate).toBe(scenario.injected.duplicates);
          expect(verdicts["out-of-order"]).toBe(scenario.injected.outOfOrder);
        }),
        { numRuns: 100 },
      );
    });
  },
);

// A naive model of the documented semantics (sets and linear scans, O(frames) memory), to compare the
// checker against on arbitrary, unstructured histories.
type SeqOp = { kind: "frame"; seq: number } | { kind: "disconnect" } | { kind: "connect"; head: number };

function seqModel(
  firstHead: number,
  ops: readonly SeqOp[],
  published: readonly number[],
  finalHead?: number,
) {
  const received = new Set<number>();
  const windows: [number, number][] = [];
  let highest = firstHead;
  let up = true;
  const figures = { received: 0, duplicates: 0, outOfOrder: 0 };
  for (const op of ops) {
    if (op.kind === "connect" && !up) {
      up = true;
      const window = windows[windows.length - 1] as [number, number];
      window[1] = Math.max(window[0], op.head);
    } else if (op.kind === "disconnect" && up) {
      up = false;
      windows.push([highest, Number.POSITIVE_INFINITY]);
    } else if (op.kind === "frame" && up) {
      if (op.seq > highest) highest = op.seq;
      else if (received.has(op.seq)) {
        figures.duplicates++;
        continue;
      } else figures.outOfOrder++;
      received.add(op.seq);
      figures.received++;
    }
  }
  const result = {
    expected: 0,
    lost: 0,
    missedWhileDisconnected: 0,
    recovered: 0,
    lostSamples: [] as string[],
  };
  for (const seq of published) {
    if (seq <= firstHead || (finalHead !== undefined && seq > finalHead)) continue;
    result.expected++;
    const down = windows.some(([after, upTo]) => seq > after && seq <= upTo);
    if (down) {
      if (received.has(seq)) result.recovered++;
      else result.missedWhileDisconnected++;
    } else if (!received.has(seq)) {
      result.lost++;
      if (result.lostSamples.length < 20) result.lostSamples.push(String(seq));
    }
  }
  return { ...figures, ...result };
}

const seqOp: fc.Arbitrary<SeqOp> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({ kind: fc.constant("frame" as const), seq: fc.integer({ min: 0, max: 40 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "disconnect" as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("connect" as const), head: fc.integer({ min: 0, max: 40 }) }),
  },
);

type PublisherOp =
  | { kind: "frame"; publisher: number; n: number; advanceMs: number }
  | { kind: "disconnect"; advanceMs: number }
  | { kind: "connect"; advanceMs: number };

// Times on a 25 ms grid, so triggers often sit exactly on a window's edge or exactly a grace away.
const advanceMs = fc.integer({ min: 0, max: 8 }).map((steps) => steps * 25);
const publisherOp: fc.Arbitrary<PublisherOp> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant("frame" as const),
      publisher: fc.integer({ min: 0, max: 1 }),
      n: fc.integer({ min: 1, max: 15 }),
      advanceMs,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("disconnect" as const), advanceMs }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("connect" as const), advanceMs }) },
);

function publisherModel(
  ops: readonly PublisherOp[],
  published: readonly PublishedTrigger[],
  graceMs: number,
) {
  const seen = new Map<string, { highest: number; received: Set<number> }>();
  const windows: [number, number][] = [];
  let timeMs = 0;
  let up = false;
  const figures = { received: 0, duplicates: 0, outOfOrder: 0 };
  for (const op of ops) {
    timeMs += op.advanceMs;
    if (op.kind === "connect" && !up) {
      up = true;
      windows.push([timeMs, Number.POSITIVE_INFINITY]);
    } else if (op.kind === "disconnect" && up) {
      up = false;
      (windows[windows.length - 1] as [number, number])[1] = timeMs;
    } else if (op.kind === "frame" && up) {
      const name = `pub-${op.publisher}`;
      const state = seen.get(name) ?? { highest: op.n, received: new Set<number>() };
      seen.set(name, state);
      if (op.n > state.highest) state.highest = op.n;
      else if (state.received.has(op.n)) {
        figures.duplicates++;
        continue;
      } else if (op.n < state.highest) figures.outOfOrder++;
      state.received.add(op.n);
      figures.received++;
    }
  }
  const edges = windows.flatMap(([start, end]) =>
    end === Number.POSITIVE_INFINITY ? [start] : [start, end],
  );
  const result = {
    expected: 0,
    lost: 0,
    missedWhileDisconnected: 0,
    recovered: 0,
    lostSamples: [] as string[],
  };
  for (const trigger of published) {
    const t = trigger.acceptedAtMs;
    const got = seen.get(trigger.publisher)?.received.has(trigger.n) ?? false;
    if (edges.some((edge) => Math.abs(t - edge) < graceMs)) {
      if (got) result.expected++;
    } else if (windows.some(([start, end]) => start <= t && t < end)) {
      result.expected++;
      if (!got) {
        result.lost++;
        if (result.lostSamples.length < 20) result.lostSamples.push(`${trigger.publisher}:${trigger.n}`);
      }
    } else if (windows.length > 0 && t >= (windows[0] as [number, number])[0]) {
      result.expected++;
      if (got) result.recovered++;
      else result.missedWhileDisconnected++;
    }
  }
  return { ...figures, ...result };
}

function withoutResets(figures: DeliveryFigures): Omit<DeliveryFigures, "resets"> {
  const { resets: _resets, ...rest } = figures;
  return rest;
}

describe("DeliveryChecker against a naive model of its semantics", () => {
  it("agrees on arbitrary seq histories with disconnects, reconnects and a final head", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.array(seqOp, { maxLength: 60, size: "max" }),
        fc.option(fc.integer({ min: 0, max: 45 }), { nil: undefined }),
        (firstHead, ops, finalHead) => {
          const checker = new DeliveryChecker("seq");
          checker.connected(0, { seq: firstHead, resume: true });
          let up = true;
          for (const op of ops) {
            if (op.kind === "connect" && !up) {
              up = true;
              checker.connected(0, { seq: op.head, resume: true });
            } else if (op.kind === "disconnect" && up) {
              up = false;
              checker.disconnected(0);
            } else if (op.kind === "frame" && up) {
              checker.receive({ seq: op.seq }, 0);
            }
          }
          const published = Array.from({ length: 45 }, (_, i) => i + 1);
          const triggers = published.map((seq) => ({ seq, publisher: "p", n: seq, acceptedAtMs: 0 }));
          expect(withoutResets(checker.finish(triggers, finalHead))).toEqual(
            seqModel(firstHead, ops, published, finalHead),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("agrees on arbitrary publisher histories with connect windows and grace", () => {
    fc.assert(
      fc.property(
        fc.array(publisherOp, { minLength: 10, maxLength: 60, size: "max" }),
        fc.array(
          fc.record({
            publisher: fc.constantFrom("pub-0", "pub-1"),
            n: fc.integer({ min: 1, max: 15 }),
            acceptedAtMs: fc.integer({ min: 0, max: 160 }).map((steps) => steps * 25),
          }),
          { maxLength: 40, size: "max" },
        ),
        fc.constantFrom(0, 25, 100),
        (ops, published, graceMs) => {
          const checker = new DeliveryChecker("publisher", { graceMs });
          let timeMs = 0;
          let up = false;
          for (const op of ops) {
            timeMs += op.advanceMs;
            if (op.kind === "connect" && !up) {
              up = true;
              checker.connected(timeMs);
            } else if (op.kind === "disconnect" && up) {
              up = false;
              checker.disconnected(timeMs);
            } else if (op.kind === "frame" && up) {
              checker.receive(
                { probe: { run: runId, publisher: `pub-${op.publisher}`, n: op.n, t: 0 } },
                timeMs,
              );
            }
          }
          expect(withoutResets(checker.finish(published))).toEqual(publisherModel(ops, published, graceMs));
        },
      ),
      { numRuns: 300 },
    );
  });
});
