import { describe, expect, it } from "vitest";
import { ChaosImpactRecorder, chaosImpacts, faultSpans } from "../../lib/core/chaos-impact.js";
import { emptyDelivery } from "../../lib/core/delivery-checker.js";
import { LatencyHistogram } from "../../lib/core/latency-histogram.js";
import type { DeliveryFigures } from "../../lib/core/report-model.js";

const start = 1_000_000;
const at = (seconds: number) => start + seconds * 1000;

function histogramOf(valueMs: number, count = 10): LatencyHistogram {
  const histogram = new LatencyHistogram();
  for (let i = 0; i < count; i++) histogram.recordMs(valueMs);
  return histogram;
}

/** A 20 s run: 10 ms fan-out, 300 ms from 10 s to 12 s; a kill at 10 s drops 3 clients, back at 11-11.5 s. */
function killAndRestart(): ChaosImpactRecorder {
  const recorder = new ChaosImpactRecorder(start);
  recorder.event({ atMs: at(10), action: "kill-pod", target: "pod-b" });
  recorder.event({ atMs: at(11), action: "restart-pod", target: "pod-b" });
  const clients = [{}, {}, {}];
  for (const client of clients) recorder.disconnected(client, at(10.01));
  recorder.reconnected(clients[0] as object, at(11.2));
  recorder.reconnected(clients[1] as object, at(11.3));
  recorder.reconnected(clients[2] as object, at(11.5));
  let totals = { duplicates: 0, outOfOrder: 0 };
  for (let second = 1; second <= 20; second++) {
    if (second === 12) totals = { duplicates: 2, outOfOrder: 1 };
    recorder.second(at(second), histogramOf(second === 11 || second === 12 ? 300 : 10), totals);
  }
  return recorder;
}

describe("chaos impact", () => {
  it("makes a fault last until its clients are back and at least until the action that undoes it", () => {
    const events = [
      { atMs: at(2), action: "kill-redis", target: "redis" },
      { atMs: at(3), action: "kill-pod", target: "pod-b" },
      { atMs: at(5), action: "restart-redis", target: "redis" },
      { atMs: at(6), action: "restart-pod", target: "pod-b" },
    ];
    const client = { downAtMs: at(3.1), upAtMs: at(4) };
    expect(faultSpans({ events, outages: [client], runEndMs: at(20) })).toEqual([
      { fromMs: at(2), toMs: at(5) },
      { fromMs: at(3), toMs: at(6) },
      { fromMs: at(5), toMs: at(5) },
      { fromMs: at(6), toMs: at(6) },
    ]);
  });

  it("says when a restarted pod served its first trigger and first client, and the schedule's time", () => {
    const recorder = new ChaosImpactRecorder(start);
    recorder.served("pod-b", "trigger", at(1));
    recorder.event({ atMs: at(5), action: "kill-pod", target: "pod-b", scheduledAtSeconds: 3 });
    recorder.event({ atMs: at(8), action: "restart-pod", target: "pod-b", scheduledAtSeconds: 6 });
    recorder.event({ atMs: at(9), action: "restart-pod", target: "pod-c" });
    recorder.served("pod-a", "trigger", at(8.5));
    recorder.served("pod-b", "client", at(9.5));
    recorder.served("pod-b", "trigger", at(10));
    recorder.served("pod-b", "trigger", at(11));
    const [kill, restartB, restartC] = chaosImpacts({
      runStartMs: start,
      runEndMs: at(20),
      events: recorder.events,
      outages: [],
      seconds: [],
      settle: () => emptyDelivery(),
      rejoins: recorder.rejoins(),
    });
    expect(kill?.scheduledAt).toBe(3);
    expect(kill?.rejoined).toBeUndefined();
    expect(restartB).toMatchObject({
      t: 8,
      scheduledAt: 6,
      rejoined: { firstTriggerSeconds: 2, firstClientSeconds: 1.5 },
    });
    expect(restartC?.scheduledAt).toBeUndefined();
    expect(restartC?.rejoined).toEqual({ firstTriggerSeconds: null, firstClientSeconds: null });
  });

  it("gives a kill its disconnects, reconnect times, window figures and the p99 spike", () => {
    const recorder = killAndRestart();
    const windows: Array<[number, number]> = [];
    const settle = (fromMs: number, toMs: number): DeliveryFigures => {
      windows.push([(fromMs - start) / 1000, (toMs - start) / 1000]);
      return { ...emptyDelivery(), recovered: windows.length === 1 ? 42 : 0 };
    };
    const [kill, restart] = chaosImpacts({
      runStartMs: start,
      runEndMs: at(20),
      events: recorder.events,
      outages: recorder.outages(),
      seconds: recorder.seconds,
      settle,
    });
    expect(kill).toMatchObject({
      t: 10,
      action: "kill-pod",
      target: "pod-b",
      clientsDisconnected: 3,
      recovered: 42,
      duplicates: 2,
      outOfOrder: 1,
      historyLost: false,
    });
    expect(kill?.reconnectTime.count).toBe(3);
    expect(kill?.reconnectTime.max).toBeCloseTo(1490, -1);
    expect(kill?.fanoutP99Ms.before).toBeCloseTo(10, 0);
    expect(kill?.fanoutP99Ms.during).toBeCloseTo(300, 0);
    expect(kill?.fanoutP99Ms.after).toBeCloseTo(300, 0);
    // The kill's window is 9 s (lead) .. 16.5 s (last reconnect + 5 s); the restart gets only what follows.
    expect(windows).toEqual([
      [9, 16.5],
      [16.5, 16.5],
    ]);
    expect(restart).toMatchObject({ t: 11, clientsDisconnected: 0, recovered: 0, duplicates: 0 });
    expect(restart?.reconnectTime.count).toBe(0);
  });

  it("says history was lost when reset frames arrived in the event's window", () => {
    const recorder = new ChaosImpactRecorder(start);
    recorder.event({ atMs: at(2), action: "restart-redis", target: "redis" });
    for (let second = 1; second <= 8; second++) {
      if (second === 3) for (let i = 0; i < 5; i++) recorder.historyReset();
      recorder.second(at(second), new LatencyHistogram(), { duplicates: 0, outOfOrder: 0 });
    }
    const [impact] = chaosImpacts({
      runStartMs: start,
      runEndMs: at(8),
      events: recorder.events,
      outages: recorder.outages(),
      seconds: recorder.seconds,
      settle: () => emptyDelivery(),
    });
    expect(impact?.historyLost).toBe(true);
    expect(impact?.fanoutP99Ms).toEqual({ before: 0, during: 0, after: 0 });
  });

  it("keeps a connection that never came back in its event's window until the run ends", () => {
    const recorder = new ChaosImpactRecorder(start);
    recorder.event({ atMs: at(1), action: "stop-pod", target: "pod-a" });
    recorder.disconnected({}, at(1.2));
    const windows: number[][] = [];
    const [impact] = chaosImpacts({
      runStartMs: start,
      runEndMs: at(9),
      events: recorder.events,
      outages: recorder.outages(),
      seconds: [],
      settle: (fromMs, toMs) => {
        windows.push([fromMs - start, toMs - start]);
        return emptyDelivery();
      },
    });
    expect(impact?.clientsDisconnected).toBe(1);
    expect(impact?.reconnectTime.count).toBe(0);
    expect(windows).toEqual([[0, 9000]]);
  });

  it("leaves disconnects before the first event out, and pairs each reconnect with its own outage", () => {
    const recorder = new ChaosImpactRecorder(start);
    const early = {};
    recorder.disconnected(early, at(0.5));
    recorder.reconnected(early, at(0.7));
    recorder.reconnected({}, at(0.8));
    recorder.event({ atMs: at(3), action: "reset", target: "pod-a@clients" });
    recorder.disconnected(early, at(3.1));
    recorder.disconnected(early, at(3.2));
    recorder.reconnected(early, at(3.6));
    const [impact] = chaosImpacts({
      runStartMs: start,
      runEndMs: at(10),
      events: recorder.events,
      outages: recorder.outages(),
      seconds: [],
      settle: () => emptyDelivery(),
    });
    expect(recorder.outages()).toHaveLength(2);
    expect(impact?.clientsDisconnected).toBe(1);
    expect(impact?.reconnectTime.max).toBeCloseTo(500, 0);
  });

  it("gives a Redis failover its refusals, client resets and the acknowledged triggers lost before it", () => {
    const recorder = new ChaosImpactRecorder(start);
    const redis = {
      fromPrimary: "redis-1 a",
      toPrimary: "redis-2 b",
      noPrimaryMs: 2500,
      resubscribeMs: 2900,
    };
    recorder.event({ atMs: at(10), action: "kill-redis-primary", target: "redis", redis });
    recorder.event({ atMs: at(20), action: "failover-redis", target: "redis", redis });
    for (let second = 1; second <= 30; second++) {
      // 5 refusals a second from 11 s to 13 s (the outage), none elsewhere.
      const refused = Math.min(Math.max(0, second - 10), 3) * 5;
      if (second === 12) recorder.historyReset();
      recorder.second(at(second), histogramOf(10), { duplicates: 0, outOfOrder: 0, refused });
    }
    const lost = [
      { publisher: "p", n: 1, acceptedAtMs: at(9.5) },
      { publisher: "p", n: 2, acceptedAtMs: at(9.9) },
      { publisher: "p", n: 3, acceptedAtMs: at(19) },
      { publisher: "p", n: 4, acceptedAtMs: at(25) },
    ];
    const [kill, failover] = chaosImpacts({
      runStartMs: start,
      runEndMs: at(30),
      events: recorder.events,
      outages: [],
      seconds: recorder.seconds,
      settle: () => emptyDelivery(),
      acknowledgedLost: lost,
    });
    expect(kill?.redis).toMatchObject({
      noPrimaryMs: 2500,
      resubscribeMs: 2900,
      refused: 15,
      clientResets: 1,
      acknowledgedLost: 2,
      acknowledgedLostSamples: ["p:1", "p:2"],
    });
    // The first failover after a trigger lost it; one after the last failover is charged to the last.
    expect(failover?.redis).toMatchObject({ refused: 0, clientResets: 0, acknowledgedLost: 2 });
  });

  it("leaves acknowledged loss out when the run did not check it, and Redis figures off other events", () => {
    const recorder = new ChaosImpactRecorder(start);
    recorder.event({ atMs: at(1), action: "kill-pod", target: "pod-a" });
    recorder.event({
      atMs: at(2),
      action: "failover-redis",
      target: "redis",
      redis: { fromPrimary: "a", toPrimary: "b", noPrimaryMs: 100 },
    });
    const [pod, failover] = chaosImpacts({
      runStartMs: start,
      runEndMs: at(5),
      events: recorder.events,
      outages: [],
      seconds: [],
      settle: () => emptyDelivery(),
    });
    expect(pod?.redis).toBeUndefined();
    expect(failover?.redis).toEqual({
      fromPrimary: "a",
      toPrimary: "b",
      noPrimaryMs: 100,
      refused: 0,
      clientResets: 0,
    });
  });
});
