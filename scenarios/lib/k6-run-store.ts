// Shared state of one k6 run in Redis (xk6-redis), under <prefix>k6:<runId>:*. VUs share nothing in memory,
// so everything that crosses VUs goes through here: the start barrier, open connections per pod, the log of
// published triggers (what every subscriber must have received), how many trigger iterations have settled
// (the log is complete once all have), trigger outcomes, each subscriber VU's figures for handleSummary,
// and run events. The backend's own seq counter is read as an independent oracle.
// A run split over k6 runners (execution segments) shares the start barrier, open connections and settled
// count; each runner keeps its own published log, trigger outcomes, snapshots and events under
// <prefix>k6:<runId>:<name>:<segment> (its partial report must hold its share only), and subscribers read
// every segment's published log, so each client is judged on every trigger of the run.

import type { Client } from "k6/x/redis";
import { CrosspodError } from "../../lib/core/crosspod-error.js";
import type { RunEvent } from "../../lib/core/report-model.js";
import type { RunSegment } from "./k6-segment.js";
import { count, list, runEvent, StoredValueError, text } from "./k6-stored-values.js";

/** One accepted trigger, as the backend acknowledged it. */
export interface PublishedEntry {
  /** The backend's seq; undefined for a backend without one (publisher accounting). */
  seq: number | undefined;
  publisher: string;
  n: number;
  /** Epoch ms at which Redis accepted the publish (the response's published_at). */
  acceptedAtMs: number;
  /** Pod that accepted the trigger (the origin of its frames). */
  pod: string;
}

export type TriggerOutcome = "sent" | "accepted" | "failed";
export type TriggerCounts = Record<TriggerOutcome, number>;

export class RunStoreError extends CrosspodError {
  override readonly code = "CROSSPOD_K6_RUN_STORE";
  override readonly kind = "environment";
}

/** A published-log entry: [seq or null, publisher, n, acceptedAtMs, pod], as recordPublished writes it. */
function publishedEntry(value: unknown): PublishedEntry {
  const [seq, publisher, n, acceptedAtMs, pod] = list(value, "entry");
  if (typeof acceptedAtMs !== "number" || !(acceptedAtMs >= 0)) {
    throw new StoredValueError("[3]: expected epoch milliseconds");
  }
  if (count(n, "[2]") === 0) throw new StoredValueError("[2]: expected n from 1");
  return {
    seq: seq === null ? undefined : count(seq, "[0]"),
    publisher: text(publisher, "[1]"),
    n: n as number,
    acceptedAtMs,
    pod: text(pod, "[4]"),
  };
}

const outcomes: readonly TriggerOutcome[] = ["sent", "accepted", "failed"];
const runKeys = [
  "connected",
  "open",
  "published",
  "settled",
  "triggers",
  "failures",
  "snapshots",
  "events",
] as const;
type RunKey = (typeof runKeys)[number];
/** Each runner's own share of a split run; the other keys are the whole run's. */
const perSegmentKeys: ReadonlySet<RunKey> = new Set([
  "published",
  "triggers",
  "failures",
  "snapshots",
  "events",
]);

function isNil(error: unknown): boolean {
  return String((error as { message?: unknown } | null)?.message ?? error).includes("redis: nil");
}

function parseEntries<T>(what: string, values: string[], parse: (value: unknown) => T): T[] {
  return values.map((text, index) => {
    try {
      return parse(JSON.parse(text));
    } catch (error) {
      throw new RunStoreError(
        `${what} entry ${index} in Redis is malformed (${String(error)}): ${text.slice(0, 120)}`,
      );
    }
  });
}

export class RunStore {
  constructor(
    private readonly client: Client,
    private readonly keyPrefix: string,
    readonly runId: string,
    private readonly segment: Pick<RunSegment, "text" | "partial" | "all">,
  ) {}

  private key(name: RunKey, segment = this.segment.text): string {
    const key = `${this.keyPrefix}k6:${this.runId}:${name}`;
    return this.segment.partial && perSegmentKeys.has(name) ? `${key}:${segment}` : key;
  }

  /** Reads an integer key; a missing key is 0. */
  private async readCount(key: string): Promise<number> {
    try {
      const value = await this.client.get(key);
      return value === null || value === undefined ? 0 : Number(value);
    } catch (error) {
      if (isNil(error)) return 0;
      throw error;
    }
  }

  async ping(): Promise<void> {
    await this.client.sendCommand("PING");
  }

  /** The backend's seq counter: the head seq every pod publishes up to, read without trusting any pod. */
  backendHeadSeq(): Promise<number> {
    return this.readCount(`${this.keyPrefix}seq`);
  }

  /** Counts a connection's first hello; returns how many connections are up. */
  markConnected(): Promise<number> {
    return this.client.incr(this.key("connected"));
  }

  connectedCount(): Promise<number> {
    return this.readCount(this.key("connected"));
  }

  async changeOpen(pod: string, delta: number): Promise<void> {
    await this.client.hincrby(this.key("open"), pod, delta);
  }

  async openByPod(): Promise<Record<string, number>> {
    const raw = await this.client.hgetall(this.key("open"));
    return Object.fromEntries(Object.entries(raw ?? {}).map(([pod, count]) => [pod, Number(count)]));
  }

  async recordPublished(entry: PublishedEntry): Promise<void> {
    const value = JSON.stringify([
      entry.seq ?? null,
      entry.publisher,
      entry.n,
      entry.acceptedAtMs,
      entry.pod,
    ]);
    await this.client.rpush(this.key("published"), value);
  }

  /** This runner's published triggers. */
  async published(segment = this.segment.text): Promise<PublishedEntry[]> {
    const values = await this.client.lrange(this.key("published", segment), 0, -1);
    return parseEntries("published", values ?? [], publishedEntry);
  }

  /** Every runner's published triggers: what each subscriber of the run must receive. */
  async runPublished(): Promise<PublishedEntry[]> {
    const logs = await Promise.all(this.segment.all.map((segment) => this.published(segment)));
    return logs.flat();
  }

  /** Counts a trigger iteration that is over: whatever it published is in the published log by now. */
  async markSettled(): Promise<void> {
    await this.client.incr(this.key("settled"));
  }

  settledCount(): Promise<number> {
    return this.readCount(this.key("settled"));
  }

  async countTrigger(pod: string, outcome: TriggerOutcome): Promise<void> {
    await this.client.hincrby(this.key("triggers"), `${pod}|${outcome}`, 1);
  }

  async triggerCounts(): Promise<Record<string, TriggerCounts>> {
    const raw = (await this.client.hgetall(this.key("triggers"))) ?? {};
    const counts: Record<string, TriggerCounts> = {};
    for (const [field, value] of Object.entries(raw)) {
      const separator = field.lastIndexOf("|");
      const pod = field.slice(0, separator);
      const outcome = field.slice(separator + 1) as TriggerOutcome;
      if (separator < 0 || !outcomes.includes(outcome)) continue;
      counts[pod] ??= { sent: 0, accepted: 0, failed: 0 };
      counts[pod][outcome] = Number(value);
    }
    return counts;
  }

  /** Counts a failed trigger by cause (http-503, timeout, bad-response, …). */
  async countFailure(cause: string): Promise<void> {
    await this.client.hincrby(this.key("failures"), cause, 1);
  }

  async failureCauses(): Promise<Record<string, number>> {
    const raw = (await this.client.hgetall(this.key("failures"))) ?? {};
    return Object.fromEntries(Object.entries(raw).map(([cause, value]) => [cause, Number(value)]));
  }

  async pushSnapshot(snapshot: string): Promise<void> {
    await this.client.rpush(this.key("snapshots"), snapshot);
  }

  async snapshots(): Promise<string[]> {
    return (await this.client.lrange(this.key("snapshots"), 0, -1)) ?? [];
  }

  async pushEvent(event: RunEvent): Promise<void> {
    await this.client.rpush(this.key("events"), JSON.stringify(event));
  }

  async events(): Promise<RunEvent[]> {
    const values = await this.client.lrange(this.key("events"), 0, -1);
    return parseEntries("event", values ?? [], (value) => runEvent(value));
  }

  /** Keeps the run's keys for inspection for a while, then lets Redis drop them. */
  async expire(seconds: number): Promise<void> {
    await Promise.all(runKeys.map((name) => this.client.expire(this.key(name), seconds)));
  }
}
