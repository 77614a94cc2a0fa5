// How the runners of a split run (one per execution segment, on one machine or many) meet through Redis:
// all connections up before anyone triggers, one shared trigger start so the striped schedule keeps the
// run's pace, every runner's published log for everyone's settle (a client is judged on every trigger of
// the run, not only its own runner's), and each partial report stored for `crosspod report merge --redis`.
// Keys live under crosspod:segments:<run id>: and expire after a day; payloads read back are validated.
import { Redis } from "ioredis";
import { z } from "zod";
import type { PublishedTrigger } from "../core/delivery-checker.js";
import {
  checkSegmentCover,
  type ExecutionSegment,
  ExecutionSegmentError,
} from "../core/execution-segment.js";
import { segmentReportsKey } from "../core/segment-report-key.js";
import { type SegmentTuple, segmentTuple } from "../core/segment-striping.js";
import { SegmentCoordinationError } from "./segment-coordination-error.js";

export { SegmentCoordinationError };

const keyTtlSeconds = 24 * 3600;
const pollIntervalMs = 100;
/** Runners start the trigger phase together this long after the last one is ready. */
const startLeadMs = 1000;
const batchSize = 1000;

const publishedBatchSchema = z.array(
  z.object({
    seq: z.number().int().optional(),
    publisher: z.string().min(1),
    n: z.number().int().nonnegative(),
    acceptedAtMs: z.number().finite(),
  }),
);

export interface SegmentCoordinatorOptions {
  redisUrl: string;
  runId: string;
  segment: ExecutionSegment;
  /** The run's segment sequence (k6's --execution-segment-sequence); [] = k6's default fill around `segment`. */
  sequence: readonly ExecutionSegment[];
  signal?: AbortSignal;
}

export class SegmentCoordinator {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(private readonly options: SegmentCoordinatorOptions) {
    this.redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
    this.redis.on("error", () => {});
    this.prefix = `crosspod:segments:${options.runId}:`;
  }

  get segment(): ExecutionSegment {
    return this.options.segment;
  }

  /** Which of the run's items this runner owns, with k6's striping. */
  get tuple(): SegmentTuple {
    return segmentTuple(this.options.segment, this.options.sequence);
  }

  /** Says this runner reached `stage`, then waits until the runners of every segment of the run have. */
  arrive(stage: "ready" | "published", timeoutMs: number): Promise<void> {
    return this.reaching(() => this.arriveAt(stage, timeoutMs));
  }

  /** Redis failures become one error naming the run and what was being done, never a stack trace. */
  private async reaching<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof SegmentCoordinationError) throw error;
      throw new SegmentCoordinationError(
        `run ${this.options.runId}: cannot coordinate the runners through Redis (--coordinate): ${(error as Error).message}`,
      );
    }
  }

  private async arriveAt(stage: "ready" | "published", timeoutMs: number): Promise<void> {
    const key = `${this.prefix}arrived:${stage}`;
    await this.redis.multi().sadd(key, this.options.segment.text).expire(key, keyTtlSeconds).exec();
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const members = await this.redis.smembers(key);
      try {
        checkSegmentCover(members);
        return;
      } catch (error) {
        if (!(error instanceof ExecutionSegmentError)) throw error;
        if (this.options.signal?.aborted || performance.now() >= deadline) {
          throw new SegmentCoordinationError(
            `run ${this.options.runId}: waited ${Math.round(timeoutMs / 1000)} s for every runner to be ${stage}: ${error.message}`,
          );
        }
      }
      await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
    }
  }

  /** The trigger phase's start (epoch ms), the same for every runner: the first to ask sets it. */
  sharedStartMs(nowMs: number): Promise<number> {
    return this.reaching(() => this.startAt(nowMs));
  }

  private async startAt(nowMs: number): Promise<number> {
    const key = `${this.prefix}start`;
    await this.redis.set(key, String(nowMs + startLeadMs), "EX", keyTtlSeconds, "NX");
    const value = Number(await this.redis.get(key));
    if (!Number.isFinite(value)) {
      throw new SegmentCoordinationError(
        `run ${this.options.runId}: the shared start in Redis is not a time`,
      );
    }
    return value;
  }

  /** Adds this runner's published triggers to the run's log. */
  sharePublished(entries: readonly PublishedTrigger[]): Promise<void> {
    return this.reaching(() => this.pushPublished(entries));
  }

  private async pushPublished(entries: readonly PublishedTrigger[]): Promise<void> {
    const key = `${this.prefix}published`;
    const pipeline = this.redis.pipeline();
    for (let start = 0; start < entries.length; start += batchSize) {
      pipeline.rpush(key, JSON.stringify(entries.slice(start, start + batchSize)));
    }
    pipeline.expire(key, keyTtlSeconds);
    await pipeline.exec();
  }

  /** Every runner's published triggers (call after `arrive("published")`). */
  allPublished(): Promise<PublishedTrigger[]> {
    return this.reaching(() => this.readPublished());
  }

  private async readPublished(): Promise<PublishedTrigger[]> {
    const batches = await this.redis.lrange(`${this.prefix}published`, 0, -1);
    return batches.flatMap((batch, index) => {
      let value: unknown;
      try {
        value = JSON.parse(batch);
      } catch {
        value = undefined;
      }
      const parsed = publishedBatchSchema.safeParse(value);
      if (!parsed.success) {
        throw new SegmentCoordinationError(
          `run ${this.options.runId}: published batch ${index} in Redis is not a list of triggers`,
        );
      }
      return parsed.data as PublishedTrigger[];
    });
  }

  /** Stores this runner's partial report (JSON) for `crosspod report merge --redis`. */
  storeReport(json: string): Promise<void> {
    const key = segmentReportsKey(this.options.runId);
    return this.reaching(async () => {
      await this.redis.multi().hset(key, this.options.segment.text, json).expire(key, keyTtlSeconds).exec();
    });
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

/** The partial reports stored under a run id, by segment (for `report merge --redis`). */
export async function readStoredReports(redisUrl: string, runId: string): Promise<Record<string, string>> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  redis.on("error", () => {});
  try {
    return await redis.hgetall(segmentReportsKey(runId));
  } finally {
    redis.disconnect();
  }
}
