// The IPC messages between the engine and its worker processes (engine-workers.ts forks them, each runs
// engine-worker.ts). Workers hold connections past one process's open-file limit; the parent merges
// their figures, latencies as encoded HDR histograms so the merge is exact. Parsed with zod both ways.
import { z } from "zod";
import { deliverySchema } from "../core/report-model.js";

const counts = z.record(z.string(), z.number().int().nonnegative());

/** How workers talk to the pods: the reference backend, or Socket.IO with a target file's config. */
export const workerAdapterSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("crosspod") }),
  // socketIoAdapter() checks the config itself and names the bad field.
  z.object({ kind: z.literal("socketio"), config: z.record(z.string(), z.unknown()) }),
]);
export type WorkerAdapter = z.infer<typeof workerAdapterSchema>;

export const workerRequestSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("open"),
    runId: z.string().min(1),
    targets: z
      .array(
        z.object({ wsUrl: z.string().min(1), pod: z.string().min(1), localAddress: z.string().optional() }),
      )
      .min(1),
    connections: z.number().int().positive(),
    rampSeconds: z.number().nonnegative(),
    accounting: z.enum(["seq", "publisher"]),
    connectTimeoutMs: z.number().int().positive(),
    adapter: workerAdapterSchema.optional(),
  }),
  /** Live totals, cheap enough to poll while waiting for deliveries. */
  z.object({ type: z.literal("status") }),
  /** Starts a measured window: CPU, event-loop lag and the window's fan-out histogram restart. */
  z.object({ type: z.literal("window-start") }),
  z.object({ type: z.literal("window-end") }),
  z.object({
    type: z.literal("finish"),
    published: z.array(
      z.object({
        seq: z.number().int().optional(),
        publisher: z.string(),
        n: z.number().int(),
        acceptedAtMs: z.number(),
      }),
    ),
    headSeq: z.number().int().optional(),
  }),
  z.object({ type: z.literal("close") }),
]);
export type WorkerRequest = z.infer<typeof workerRequestSchema>;

const encodedPodSchema = z.object({
  fanout: z.string(),
  e2e: z.string(),
  reconnectTime: z.string(),
  connections: z.object({
    opened: z.number().int(),
    failed: z.number().int(),
    peak: z.number().int(),
    reconnects: z.number().int(),
  }),
  delivery: deliverySchema,
});
export type EncodedPod = z.infer<typeof encodedPodSchema>;

export const workerReplySchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready"), openFileLimit: z.number().int().optional() }),
  z.object({
    type: z.literal("opened"),
    connected: z.number().int().nonnegative(),
    connectErrors: counts,
    /** From the first connect to the last hello (or the timeout). */
    openMs: z.number().nonnegative(),
    rssBeforeBytes: z.number().nonnegative(),
    rssBytes: z.number().nonnegative(),
  }),
  z.object({
    type: z.literal("window"),
    frames: z.number().int().nonnegative(),
    connected: z.number().int().nonnegative(),
    cpuFraction: z.number().nonnegative(),
    eventLoopLagP99Ms: z.number().nonnegative(),
    rssBytes: z.number().nonnegative(),
    /** Fan-out latencies received in the window. */
    fanout: z.string(),
  }),
  z.object({ type: z.literal("finished"), pods: z.record(z.string(), encodedPodSchema) }),
  z.object({ type: z.literal("ok") }),
  z.object({
    type: z.literal("status"),
    frames: z.number().int().nonnegative(),
    connected: z.number().int().nonnegative(),
  }),
  z.object({ type: z.literal("closed") }),
  z.object({ type: z.literal("error"), message: z.string() }),
]);
export type WorkerReply = z.infer<typeof workerReplySchema>;
