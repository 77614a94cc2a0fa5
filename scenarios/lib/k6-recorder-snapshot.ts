// A subscriber VU's figures as one JSON document in Redis, and their merge in handleSummary: counts add up,
// histograms travel as HdrHistogram base64 and merge exactly, delivery figures add with lib/core's rules.
// Snapshots come back from Redis, so they are validated before anything trusts them.

import { z } from "zod";
import { CrosspodError } from "../../lib/core/crosspod-error.js";
import { addDelivery } from "../../lib/core/delivery-figures.js";
import { LatencyHistogram } from "../../lib/core/latency-histogram.js";
import { deliverySchema, type RunEvent, runEventSchema } from "../../lib/core/report-model.js";
import { type MatrixCellInput, PodRecorder } from "../../lib/core/run-recorder.js";
import { SeriesHistogram } from "./k6-series-histogram.js";

const count = z.number().int().nonnegative();

const seriesEntrySchema = z.object({
  bucket: count,
  connections: count,
  frames: count,
  errors: count,
  /** Fan-out latencies of the bucket as sparse [bucket index, count] pairs (k6-series-histogram.ts). */
  fanout: z.array(z.tuple([count, count])),
});
export type SeriesEntry = z.infer<typeof seriesEntrySchema>;

export const recorderSnapshotSchema = z.object({
  vu: count,
  pods: z.record(
    z.string(),
    z.object({
      connections: z.object({ opened: count, failed: count, peak: count, reconnects: count }),
      delivery: deliverySchema,
      fanout: z.string(),
      e2e: z.string(),
      reconnectTime: z.string(),
    }),
  ),
  matrix: z.array(
    z.object({ origin: z.string(), deliveredBy: z.string(), fanout: z.string(), received: count }),
  ),
  series: z.array(seriesEntrySchema),
  events: z.array(runEventSchema),
});
export type RecorderSnapshot = z.infer<typeof recorderSnapshotSchema>;

export class SnapshotError extends CrosspodError {
  override readonly code = "CROSSPOD_K6_SNAPSHOT";
  override readonly kind = "internal";
}

/** One time-series bucket summed over every VU. */
export interface MergedBucket {
  bucket: number;
  connections: number;
  frames: number;
  errors: number;
  fanout: SeriesHistogram;
}

export interface MergedSnapshots {
  pods: Map<string, PodRecorder>;
  matrix: MatrixCellInput[];
  buckets: MergedBucket[];
  events: RunEvent[];
  /** VUs whose snapshot was read. */
  vus: number[];
}

/** Plain code-unit order: Sobek has no Intl for localeCompare to lean on. */
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function decode(encoded: string): LatencyHistogram {
  return encoded === "" ? new LatencyHistogram() : LatencyHistogram.decode(encoded);
}

export function parseSnapshot(text: string, index: number): RecorderSnapshot {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SnapshotError(`subscriber snapshot ${index} is not JSON: ${String(error)}`);
  }
  const parsed = recorderSnapshotSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SnapshotError(
      `subscriber snapshot ${index} is malformed at ${issue?.path.join(".") ?? "?"}: ${issue?.message ?? "invalid"}`,
    );
  }
  return parsed.data;
}

export function mergeSnapshots(snapshots: readonly RecorderSnapshot[]): MergedSnapshots {
  const pods = new Map<string, PodRecorder>();
  const cells = new Map<
    string,
    { origin: string; deliveredBy: string; fanout: LatencyHistogram; received: number }
  >();
  const buckets = new Map<number, MergedBucket>();
  const events: RunEvent[] = [];
  for (const snapshot of snapshots) {
    for (const [name, figures] of Object.entries(snapshot.pods)) {
      let pod = pods.get(name);
      if (pod === undefined) {
        pod = new PodRecorder();
        pods.set(name, pod);
      }
      pod.connections.opened += figures.connections.opened;
      pod.connections.failed += figures.connections.failed;
      // Each VU saw its own peak; the pod's peak is at most their sum (all VUs ramp together).
      pod.connections.peak += figures.connections.peak;
      pod.connections.reconnects += figures.connections.reconnects;
      addDelivery(pod.delivery, figures.delivery);
      pod.fanout.merge(decode(figures.fanout));
      pod.e2e.merge(decode(figures.e2e));
      pod.reconnectTime.merge(decode(figures.reconnectTime));
    }
    for (const cell of snapshot.matrix) {
      const key = `${cell.origin}\u0000${cell.deliveredBy}`;
      let merged = cells.get(key);
      if (merged === undefined) {
        merged = {
          origin: cell.origin,
          deliveredBy: cell.deliveredBy,
          fanout: new LatencyHistogram(),
          received: 0,
        };
        cells.set(key, merged);
      }
      merged.fanout.merge(decode(cell.fanout));
      merged.received += cell.received;
    }
    for (const entry of snapshot.series) {
      let merged = buckets.get(entry.bucket);
      if (merged === undefined) {
        merged = {
          bucket: entry.bucket,
          connections: 0,
          frames: 0,
          errors: 0,
          fanout: new SeriesHistogram(),
        };
        buckets.set(entry.bucket, merged);
      }
      merged.connections += entry.connections;
      merged.frames += entry.frames;
      merged.errors += entry.errors;
      merged.fanout.add(entry.fanout);
    }
    events.push(...snapshot.events);
  }
  return {
    pods,
    matrix: [...cells.values()]
      .sort((a, b) => byText(a.origin, b.origin) || byText(a.deliveredBy, b.deliveredBy))
      .map((cell) => ({
        origin: cell.origin,
        deliveredBy: cell.deliveredBy,
        fanout: cell.fanout,
        received: cell.received,
      })),
    buckets: [...buckets.values()].sort((a, b) => a.bucket - b.bucket),
    events: events.sort((a, b) => a.t - b.t),
    vus: snapshots.map((snapshot) => snapshot.vu),
  };
}
