// What each chaos event did to the clients, for the report's `chaos` section: how many connections it
// dropped and how fast they came back, what they missed, got back by resume or lost, duplicates and
// ordering violations, whether history was lost, and fan-out p99 before, during and after it.
// Runtime-neutral: an engine feeds a ChaosImpactRecorder while it runs, then calls chaosImpacts().
//
// Attribution. A disconnect belongs to the latest event issued at or before it. An event's window runs
// from the event to its last reconnect (never-reconnected: the end of the run) plus `afterMs`; triggers
// and per-second counts inside it are the event's. Where windows overlap a moment belongs to the earlier
// event, so the restart that follows a kill reports what the restart itself did, and no frame is counted
// twice. A trigger accepted up to `leadMs` before an event counts too: it may still have been on its way
// to a client when the event struck.
import { LatencyHistogram } from "./latency-histogram.js";
import type { ChaosImpact, DeliveryFigures } from "./report-model.js";

export interface ChaosEventRecord {
  /** When the action was issued, epoch ms. */
  atMs: number;
  action: string;
  target: string;
  /** A Redis failover action's measured course (Sentinel mode). */
  redis?: RedisFailoverRecord;
  /** When the schedule said to do it, seconds from the first trigger (`@10s`); absent for ad-hoc actions. */
  scheduledAtSeconds?: number;
}

/** Actions after which their pod should serve again: the rejoin is measured from the event. */
const rejoiningActions: ReadonlySet<string> = new Set(["restart-pod"]);

/** When a pod brought back by an event served its first trigger and its first client afterwards. */
interface RejoinRecord {
  event: ChaosEventRecord;
  firstTriggerAtMs: number | undefined;
  firstClientAtMs: number | undefined;
}

/** How a Redis failover went, measured by the supervisor while it happened. */
export interface RedisFailoverRecord {
  /** "redis-1 127.0.0.1:port". */
  fromPrimary: string;
  toPrimary: string;
  /** From the action until the new primary took a write. */
  noPrimaryMs: number;
  /** From the action until every running pod was ready on the new primary; absent if some never was. */
  resubscribeMs?: number;
}

/** A trigger answered 202 that the surviving history does not have: lost to a failover. */
export interface AcknowledgedTrigger {
  publisher: string;
  n: number;
  acceptedAtMs: number;
}

/** A chaos action as an engine hears of it once it has been carried out. */
export interface ChaosTimelineEvent extends ChaosEventRecord {
  /** Signal or fault parameters and how it ended. */
  detail: string;
  ok: boolean;
  error?: string;
}

/**
 * A chaos schedule run alongside an engine's trigger phase (the Node engine gets one from `--chaos`).
 * Step times count from start().
 */
export interface ChaosTimeline {
  start(onEvent: (event: ChaosTimelineEvent) => void): void;
  /** Issues no further step and resolves once the actions under way have finished. */
  stop(): Promise<void>;
  /**
   * After the drain, when the timeline failed Redis over: which of these 202-answered triggers the
   * surviving history lacks. Undefined when it cannot tell (no failover, no Sentinel group).
   */
  acknowledgedLost?(acknowledged: readonly AcknowledgedTrigger[]): Promise<AcknowledgedTrigger[] | undefined>;
}

export interface OutageRecord {
  /** When an open connection (hello received) dropped, epoch ms. */
  downAtMs: number;
  /** The hello of its next connection; undefined when it never came back. */
  upAtMs: number | undefined;
}

export interface SecondRecord {
  startMs: number;
  endMs: number;
  /** Fan-out latencies of the frames received in the second, as LatencyHistogram.encode(). */
  fanout: string | undefined;
  duplicates: number;
  outOfOrder: number;
  /** `reset` frames (history lost) received in the second. */
  resets: number;
  /** Triggers answered 503 in the second. */
  refused?: number;
  /** Triggers sent and failed in the second (for per-phase figures). */
  triggersSent?: number;
  triggersFailed?: number;
}

export interface ChaosImpactInput {
  runEndMs: number;
  runStartMs: number;
  events: readonly ChaosEventRecord[];
  outages: readonly OutageRecord[];
  seconds: readonly SecondRecord[];
  /** Delivery figures summed over every connection for the triggers accepted in [fromMs, toMs). */
  settle: (fromMs: number, toMs: number) => DeliveryFigures;
  /** Default 5 s: the "after" period, and how long an event's window outlasts its last reconnect. */
  afterMs?: number;
  /** Default 1 s. */
  leadMs?: number;
  /**
   * Triggers answered 202 that the surviving Redis history lacks, when the run checked (Sentinel mode);
   * each is charged to the first failover event at or after its acceptance.
   */
  acknowledgedLost?: readonly AcknowledgedTrigger[];
  /** Rejoin times of the events that brought a pod back (ChaosImpactRecorder.rejoins()). */
  rejoins?: ReadonlyMap<ChaosEventRecord, { firstTriggerAtMs?: number; firstClientAtMs?: number }>;
}

const defaultAfterMs = 5_000;
const defaultLeadMs = 1_000;
const beforeMs = 5_000;
const secondMs = 1_000;

/** Collects, while a run goes on, what chaosImpacts() needs; cheap enough for every disconnect and second. */
export class ChaosImpactRecorder {
  readonly events: ChaosEventRecord[] = [];
  readonly seconds: SecondRecord[] = [];
  private readonly closedOutages: OutageRecord[] = [];
  private readonly openOutages = new Map<object, number>();
  private totals = { duplicates: 0, outOfOrder: 0, resets: 0, refused: 0, sent: 0, failed: 0 };
  private lastSecondEndMs: number;
  private resets = 0;
  /** Set after the drain when the timeline checked Redis history for acknowledged triggers it lost. */
  acknowledgedLost: AcknowledgedTrigger[] | undefined;
  /** The latest rejoining event per pod, until that pod has served a trigger and a client. */
  private readonly rejoining = new Map<string, RejoinRecord>();
  private readonly rejoined: RejoinRecord[] = [];

  constructor(runStartMs: number) {
    this.lastSecondEndMs = runStartMs;
  }

  event(record: ChaosEventRecord): void {
    this.events.push(record);
    if (rejoiningActions.has(record.action)) {
      const rejoin = { event: record, firstTriggerAtMs: undefined, firstClientAtMs: undefined };
      this.rejoining.set(record.target, rejoin);
      this.rejoined.push(rejoin);
    }
  }

  /**
   * Pod `pod` accepted a trigger or said hello to a client at `atMs`: the first of each after an event
   * that brought it back is when it rejoined. Cheap on every trigger and hello: one map lookup.
   */
  served(pod: string, what: "trigger" | "client", atMs: number): void {
    const rejoin = this.rejoining.get(pod);
    if (rejoin === undefined || atMs < rejoin.event.atMs) return;
    if (what === "trigger") rejoin.firstTriggerAtMs ??= atMs;
    else rejoin.firstClientAtMs ??= atMs;
    if (rejoin.firstTriggerAtMs !== undefined && rejoin.firstClientAtMs !== undefined) {
      this.rejoining.delete(pod);
    }
  }

  /** For chaosImpacts(): each rejoining event's first trigger and first client, where seen. */
  rejoins(): Map<ChaosEventRecord, { firstTriggerAtMs?: number; firstClientAtMs?: number }> {
    return new Map(
      this.rejoined.map(({ event, firstTriggerAtMs, firstClientAtMs }) => [
        event,
        {
          ...(firstTriggerAtMs === undefined ? {} : { firstTriggerAtMs }),
          ...(firstClientAtMs === undefined ? {} : { firstClientAtMs }),
        },
      ]),
    );
  }

  /** An open connection (`connection` is any stable key for it) dropped at `atMs`. */
  disconnected(connection: object, atMs: number): void {
    if (!this.openOutages.has(connection)) this.openOutages.set(connection, atMs);
  }

  /** The connection said hello again; a reconnect without an open outage is ignored. */
  reconnected(connection: object, atMs: number): void {
    const downAtMs = this.openOutages.get(connection);
    if (downAtMs === undefined) return;
    this.openOutages.delete(connection);
    this.closedOutages.push({ downAtMs, upAtMs: atMs });
  }

  historyReset(): void {
    this.resets += 1;
  }

  /**
   * Closes the second ending at `endMs` with its fan-out histogram and the run's running totals of
   * duplicates and out-of-order frames (the recorder keeps the differences).
   */
  second(
    endMs: number,
    fanout: LatencyHistogram,
    totals: { duplicates: number; outOfOrder: number; refused?: number; sent?: number; failed?: number },
  ): void {
    const refused = totals.refused ?? 0;
    const sent = totals.sent ?? 0;
    const failed = totals.failed ?? 0;
    this.seconds.push({
      startMs: this.lastSecondEndMs,
      endMs,
      fanout: fanout.count > 0 ? fanout.encode() : undefined,
      duplicates: Math.max(0, totals.duplicates - this.totals.duplicates),
      outOfOrder: Math.max(0, totals.outOfOrder - this.totals.outOfOrder),
      resets: this.resets - this.totals.resets,
      refused: Math.max(0, refused - this.totals.refused),
      triggersSent: Math.max(0, sent - this.totals.sent),
      triggersFailed: Math.max(0, failed - this.totals.failed),
    });
    this.totals = {
      duplicates: totals.duplicates,
      outOfOrder: totals.outOfOrder,
      resets: this.resets,
      refused,
      sent,
      failed,
    };
    this.lastSecondEndMs = endMs;
  }

  /** Every outage so far, those still open with upAtMs undefined. */
  outages(): OutageRecord[] {
    const open = [...this.openOutages.values()].map((downAtMs) => ({ downAtMs, upAtMs: undefined }));
    return [...this.closedOutages, ...open];
  }
}

interface EventWindow {
  event: ChaosEventRecord;
  outages: OutageRecord[];
  /** The last reconnect of its outages, the end of the run if one never came back, else the event. */
  recoveredAtMs: number;
  endMs: number;
}

function p99Of(seconds: readonly SecondRecord[], fromMs: number, toMs: number): number {
  const merged = new LatencyHistogram();
  for (const second of seconds) {
    if (second.fanout !== undefined && second.endMs > fromMs && second.endMs <= toMs) {
      merged.merge(LatencyHistogram.decode(second.fanout));
    }
  }
  return merged.count > 0 ? merged.percentileMs(99) : 0;
}

/** Actions that undo an earlier one on the same target (the end of a `..` range). */
const restoringActions: ReadonlySet<string> = new Set(["restart-pod", "restart-redis", "heal", "heal-redis"]);

/**
 * Each event's fault span for the run's phases: from the event until the last client it dropped was back,
 * and at least until the action that undoes it (a Redis down for 3 s drops no client but refuses triggers).
 */
export function faultSpans(
  input: Pick<ChaosImpactInput, "events" | "outages" | "runEndMs">,
): { fromMs: number; toMs: number }[] {
  const windows = eventWindows(input, 0);
  return windows.map((window, index) => {
    const { event } = window;
    const undo = restoringActions.has(event.action)
      ? undefined
      : windows
          .slice(index + 1)
          .find((later) => later.event.target === event.target && restoringActions.has(later.event.action));
    return {
      fromMs: event.atMs,
      toMs: Math.max(window.recoveredAtMs, undo?.event.atMs ?? event.atMs),
    };
  });
}

function eventWindows(
  input: Pick<ChaosImpactInput, "events" | "outages" | "runEndMs">,
  afterMs: number,
): EventWindow[] {
  const events = [...input.events].sort((a, b) => a.atMs - b.atMs);
  const windows: EventWindow[] = events.map((event) => ({
    event,
    outages: [],
    recoveredAtMs: event.atMs,
    endMs: event.atMs,
  }));
  for (const outage of input.outages) {
    let owner: EventWindow | undefined;
    for (const window of windows) if (window.event.atMs <= outage.downAtMs) owner = window;
    owner?.outages.push(outage);
  }
  for (const window of windows) {
    for (const outage of window.outages) {
      const upAtMs = outage.upAtMs ?? input.runEndMs;
      if (upAtMs > window.recoveredAtMs) window.recoveredAtMs = upAtMs;
    }
    window.endMs = Math.min(input.runEndMs, window.recoveredAtMs + afterMs);
  }
  return windows;
}

export function chaosImpacts(input: ChaosImpactInput): ChaosImpact[] {
  const afterMs = input.afterMs ?? defaultAfterMs;
  const leadMs = input.leadMs ?? defaultLeadMs;
  const windows = eventWindows(input, afterMs);
  const events = windows.map((window) => window.event);
  const lostByEvent = chargeLosses(events, input.acknowledgedLost);
  let claimedUntilMs = Number.NEGATIVE_INFINITY;
  return windows.map((window) => {
    const { event } = window;
    const fromMs = Math.max(event.atMs - leadMs, claimedUntilMs);
    const toMs = Math.max(fromMs, window.endMs);
    claimedUntilMs = Math.max(claimedUntilMs, toMs);
    const delivery = input.settle(fromMs, toMs);
    let duplicates = 0;
    let outOfOrder = 0;
    let resets = 0;
    for (const second of input.seconds) {
      if (second.endMs > fromMs && second.endMs <= toMs) {
        duplicates += second.duplicates;
        outOfOrder += second.outOfOrder;
        resets += second.resets;
      }
    }
    const reconnectTime = new LatencyHistogram();
    for (const outage of window.outages) {
      if (outage.upAtMs !== undefined) reconnectTime.recordMs(outage.upAtMs - outage.downAtMs);
    }
    // "During" is at least the second the event falls in, so an event that dropped nobody has one too.
    const duringEndMs = Math.max(window.recoveredAtMs, event.atMs + secondMs);
    return {
      t: Math.max(0, (event.atMs - input.runStartMs) / 1000),
      action: event.action,
      target: event.target,
      clientsDisconnected: window.outages.length,
      reconnectTime: reconnectTime.summary(),
      missedWhileDisconnected: delivery.missedWhileDisconnected,
      recovered: delivery.recovered,
      lost: delivery.lost,
      duplicates,
      outOfOrder,
      fanoutP99Ms: {
        before: p99Of(input.seconds, event.atMs - beforeMs, event.atMs),
        during: p99Of(input.seconds, event.atMs, duringEndMs),
        after: p99Of(input.seconds, duringEndMs, duringEndMs + afterMs),
      },
      historyLost: resets > 0,
      ...(event.scheduledAtSeconds === undefined ? {} : { scheduledAt: event.scheduledAtSeconds }),
      ...rejoinOf(event, input.rejoins),
      ...(event.redis
        ? { redis: redisImpact(event, event.redis, input.seconds, resets, lostByEvent.get(event)) }
        : {}),
    };
  });
}

/** Seconds from a rejoining event to its pod's first trigger and first client; null when it never served. */
function rejoinOf(
  event: ChaosEventRecord,
  rejoins: ChaosImpactInput["rejoins"],
): Pick<ChaosImpact, "rejoined"> {
  const rejoin = rejoins?.get(event);
  if (rejoin === undefined) return {};
  const after = (atMs: number | undefined) => (atMs === undefined ? null : (atMs - event.atMs) / 1000);
  return {
    rejoined: {
      firstTriggerSeconds: after(rejoin.firstTriggerAtMs),
      firstClientSeconds: after(rejoin.firstClientAtMs),
    },
  };
}

/** Each lost acknowledged trigger goes to the first failover at or after it, else the last failover. */
function chargeLosses(
  events: readonly ChaosEventRecord[],
  lost: readonly AcknowledgedTrigger[] | undefined,
): Map<ChaosEventRecord, AcknowledgedTrigger[]> {
  const charged = new Map<ChaosEventRecord, AcknowledgedTrigger[]>();
  if (lost === undefined) return charged;
  const failovers = events.filter((event) => event.redis !== undefined);
  for (const event of failovers) charged.set(event, []);
  for (const trigger of lost) {
    const owner = failovers.find((event) => event.atMs >= trigger.acceptedAtMs) ?? failovers.at(-1);
    if (owner) charged.get(owner)?.push(trigger);
  }
  return charged;
}

function redisImpact(
  event: ChaosEventRecord,
  redis: RedisFailoverRecord,
  seconds: readonly SecondRecord[],
  clientResets: number,
  lost: readonly AcknowledgedTrigger[] | undefined,
): NonNullable<ChaosImpact["redis"]> {
  // Refusals count from the action until the pods followed (or a writable primary, if they never did).
  const untilMs = event.atMs + Math.max(redis.noPrimaryMs, redis.resubscribeMs ?? 0) + secondMs;
  let refused = 0;
  for (const second of seconds) {
    if (second.endMs > event.atMs && second.startMs < untilMs) refused += second.refused ?? 0;
  }
  return {
    fromPrimary: redis.fromPrimary,
    toPrimary: redis.toPrimary,
    noPrimaryMs: redis.noPrimaryMs,
    ...(redis.resubscribeMs === undefined ? {} : { resubscribeMs: redis.resubscribeMs }),
    refused,
    clientResets,
    ...(lost === undefined
      ? {}
      : {
          acknowledgedLost: lost.length,
          acknowledgedLostSamples: lost.slice(0, 20).map((trigger) => `${trigger.publisher}:${trigger.n}`),
        }),
  };
}
