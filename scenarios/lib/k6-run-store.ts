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

/** A published-log entry: [seq or null, publisher, n, acceptedAtMs, pod], as recordTrigger writes it. */
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

/** One trigger's outcome: accepted (published) or failed (with its cause). */
export interface TriggerRecord {
  /** The pod the trigger was sent to. */
  sentTo: string;
  published?: PublishedEntry;
  /** http-503, timeout, bad-response, network-…: when not accepted. */
  failureCause?: string;
}

function publishedText(entry: PublishedEntry): string {
  return JSON.stringify([entry.seq ?? null, entry.publisher, entry.n, entry.acceptedAtMs, entry.pod]);
}

// KEYS: triggers, published, failures, settled. ARGV: sent field, outcome field, published entry ("" when
// failed), failure cause ("" when accepted). The settled count goes last: once it reaches the planned
// triggers, every entry is in the published log.
const recordTriggerScript = `
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
if ARGV[3] ~= '' then redis.call('RPUSH', KEYS[2], ARGV[3]) end
if ARGV[4] ~= '' then redis.call('HINCRBY', KEYS[3], ARGV[4], 1) end
return redis.call('INCR', KEYS[4])
`;

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

  /**
   * Marks this runner's segment of the run as started; false when it already was. A run id used twice would
   * find the first run's hellos and settled triggers and pass its barriers at once, its figures mixed in.
   */
  async claimSegment(ttlSeconds: number): Promise<boolean> {
    const key = `${this.keyPrefix}k6:${this.runId}:claimed:${this.segment.text}`;
    try {
      return (await this.client.sendCommand("SET", key, "1", "NX", "EX", ttlSeconds)) === "OK";
    } catch (error) {
      if (isNil(error)) return false;
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

  /**
   * Everything one trigger leaves in Redis, in one round trip (a Lua script, atomic): the sent count, its
   * outcome, the published-log entry or the failure cause, and the settled count. At four round trips per
   * trigger, a k6 publisher iteration took 242-477 ms and the default 20/s profile dropped iterations.
   */
  async recordTrigger(trigger: TriggerRecord): Promise<void> {
    const published = trigger.published === undefined ? "" : publishedText(trigger.published);
    await this.client.sendCommand(
      "EVAL",
      recordTriggerScript,
      4,
      this.key("triggers"),
      this.key("published"),
      this.key("failures"),
      this.key("settled"),
      `${trigger.sentTo}|sent`,
      `${trigger.published?.pod ?? trigger.sentTo}|${trigger.published ? "accepted" : "failed"}`,
      published,
      trigger.failureCause ?? "",
    );
  }

  /** Counts a trigger iteration that ended without recordTrigger (it threw), so subscribers stop waiting. */
  async markSettled(): Promise<void> {
    await this.client.incr(this.key("settled"));
  }

  settledCount(): Promise<number> {
    return this.readCount(this.key("settled"));
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
