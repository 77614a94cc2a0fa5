// Builds a connection's life from a random plan with known injected faults (gaps, duplicates, reorderings,
// disconnects with missed or recovered frames), so property tests can replay it into a DeliveryChecker and
// compare its figures with the counts injected by construction.
import fc from "fast-check";
import type { Accounting, PublishedTrigger } from "../../lib/core/delivery-checker.js";
import type { Probe } from "../../lib/core/probe.js";

type UpFate = "deliver" | "lose" | "move";
type DownFate = "miss" | "recover";

export interface Plan {
  firstSeq: number;
  /** Publisher index of each trigger published before the connection opened. */
  before: number[];
  stretches: { up: { publisher: number; fate: UpFate }[]; down: { publisher: number; fate: DownFate }[] }[];
  endsDisconnected: boolean;
  duplicates: { pick: number; after: number }[];
}

export type ScenarioEvent =
  | { kind: "connect"; atMs: number; hello: { seq: number; resume: boolean } }
  | { kind: "disconnect"; atMs: number }
  | { kind: "frame"; atMs: number; seq?: number; probe?: Probe };

export interface Injected {
  expected: number;
  received: number;
  lost: number;
  missedWhileDisconnected: number;
  recovered: number;
  duplicates: number;
  outOfOrder: number;
}

export interface Scenario {
  published: PublishedTrigger[];
  events: ScenarioEvent[];
  injected: Injected;
}

/** Triggers are 100 ms apart and windows change 50 ms after a trigger: far outside this grace. */
export const scenarioGraceMs = 30;

const publisher = fc.integer({ min: 0, max: 2 });

export const planArbitrary: fc.Arbitrary<Plan> = fc.record({
  firstSeq: fc.nat(1000),
  before: fc.array(publisher, { maxLength: 5 }),
  stretches: fc.array(
    fc.record({
      up: fc.array(
        fc.record({
          publisher,
          fate: fc.constantFrom<UpFate>("deliver", "deliver", "deliver", "lose", "move"),
        }),
        { minLength: 1, maxLength: 25, size: "medium" },
      ),
      down: fc.array(fc.record({ publisher, fate: fc.constantFrom<DownFate>("miss", "recover") }), {
        maxLength: 8,
      }),
    }),
    { minLength: 1, maxLength: 5, size: "medium" },
  ),
  endsDisconnected: fc.boolean(),
  duplicates: fc.array(fc.record({ pick: fc.nat(), after: fc.nat() }), { maxLength: 8 }),
});

interface Trigger extends PublishedTrigger {
  seq: number;
}

export function buildScenario(plan: Plan, accounting: Accounting, runId: string): Scenario {
  const published: Trigger[] = [];
  const events: ScenarioEvent[] = [];
  const injected: Injected = {
    expected: 0,
    received: 0,
    lost: 0,
    missedWhileDisconnected: 0,
    recovered: 0,
    duplicates: 0,
    outOfOrder: 0,
  };
  let timeMs = 0;
  let seq = plan.firstSeq;
  const nextN = [0, 0, 0];
  const publish = (publisherIndex: number): Trigger => {
    timeMs += 100;
    seq += 1;
    nextN[publisherIndex] = (nextN[publisherIndex] ?? 0) + 1;
    const trigger = {
      seq,
      publisher: `pub-${publisherIndex}`,
      n: nextN[publisherIndex] ?? 0,
      acceptedAtMs: timeMs,
    };
    published.push(trigger);
    return trigger;
  };
  const frame = (trigger: Trigger): ScenarioEvent => ({
    kind: "frame",
    atMs: timeMs,
    ...(accounting === "seq"
      ? { seq: trigger.seq }
      : { probe: { run: runId, publisher: trigger.publisher, n: trigger.n, t: trigger.acceptedAtMs } }),
  });

  for (const publisherIndex of plan.before) publish(publisherIndex);
  events.push({ kind: "connect", atMs: timeMs + 50, hello: { seq, resume: true } });
  let recovering: Trigger[] = [];
  plan.stretches.forEach((stretch, index) => {
    const last = index === plan.stretches.length - 1;
    const disconnectsAfter = !last || plan.endsDisconnected;
    // Resumed frames come first after a reconnect, in order, before live ones.
    for (const trigger of recovering) events.push(frame(trigger));
    injected.recovered += recovering.length;
    injected.received += recovering.length;
    recovering = [];

    const up = stretch.up.map((entry) => ({ trigger: publish(entry.publisher), fate: entry.fate }));
    const final = up[up.length - 1];
    // Seq windows begin at the highest seq received, so a stretch that ends in a disconnect ends delivered.
    if (accounting === "seq" && disconnectsAfter && final) final.fate = "deliver";
    // A moved frame arrives right after a later delivered frame (same publisher for publisher accounting).
    const movedAfter = new Map<number, Trigger[]>();
    up.forEach((entry, i) => {
      if (entry.fate !== "move") return;
      const host = up.findIndex(
        (other, j) =>
          j > i &&
          other.fate === "deliver" &&
          (accounting === "seq" || other.trigger.publisher === entry.trigger.publisher),
      );
      if (host < 0) {
        entry.fate = "lose";
        return;
      }
      movedAfter.set(host, [...(movedAfter.get(host) ?? []), entry.trigger]);
    });
    up.forEach((entry, i) => {
      if (entry.fate === "deliver") events.push(frame(entry.trigger));
      for (const moved of movedAfter.get(i) ?? []) events.push(frame(moved));
      if (entry.fate === "lose") injected.lost++;
      else injected.received++;
      if (entry.fate === "move") injected.outOfOrder++;
    });
    if (!disconnectsAfter) return;

    events.push({ kind: "disconnect", atMs: timeMs + 50 });
    for (const entry of stretch.down) {
      const trigger = publish(entry.publisher);
      if (entry.fate === "recover" && !last) recovering.push(trigger);
      else injected.missedWhileDisconnected++;
    }
    if (!last) events.push({ kind: "connect", atMs: timeMs + 50, hello: { seq, resume: true } });
  });

  // Each duplicate re-sends a frame already received, right after some frame that came after it.
  for (const duplicate of plan.duplicates) {
    const frames = events.flatMap((event, i) => (event.kind === "frame" ? [i] : []));
    if (frames.length === 0) break;
    const firstIndex = frames[duplicate.pick % frames.length] as number;
    const later = frames.filter((i) => i >= firstIndex);
    const at = later[duplicate.after % later.length] as number;
    events.splice(at + 1, 0, { ...(events[firstIndex] as ScenarioEvent) });
    injected.duplicates++;
  }
  injected.expected = published.length - plan.before.length;
  return { published, events, injected };
}
