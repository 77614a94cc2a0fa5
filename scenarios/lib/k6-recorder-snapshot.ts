// A subscriber VU's figures as one JSON document in Redis, and their merge in handleSummary: counts add up,
// histograms travel as HdrHistogram base64 and merge exactly, delivery figures add with lib/core's rules.
// Snapshots come back from Redis, so they are validated before anything trusts them.
import { CrosspodError } from "../../lib/core/crosspod-error.js";
import { addDelivery } from "../../lib/core/delivery-figures.js";
import { LatencyHistogram } from "../../lib/core/latency-histogram.js";
import type { DeliveryFigures, RunEvent } from "../../lib/core/report-model.js";
import { type MatrixCellInput, MatrixCellSum, PodRecorder } from "../../lib/core/run-recorder.js";
import { SeriesHistogram } from "./k6-series-histogram.js";
import { count, delivery, list, record, runEvent, StoredValueError, text } from "./k6-stored-values.js";

export interface SeriesEntry {
  bucket: number;
  connections: number;
  frames: number;
  errors: number;
  /** Fan-out latencies of the bucket as sparse [bucket index, count] pairs (k6-series-histogram.ts). */
  fanout: [number, number][];
}

export interface SnapshotPod {
  connections: { opened: number; failed: number; peak: number; reconnects: number };
  delivery: DeliveryFigures;
  /** HdrHistogram base64, "" when empty. */
  fanout: string;
  e2e: string;
  reconnectTime: string;
}

export interface RecorderSnapshot {
  vu: number;
  pods: Record<string, SnapshotPod>;
  matrix: { origin: string; deliveredBy: string; fanout: string; received: number }[];
  series: SeriesEntry[];
  events: RunEvent[];
}

function snapshotPod(value: unknown, path: string): SnapshotPod {
  const pod = record(value, path);
  const connections = record(pod.connections, `${path}.connections`);
  for (const name of ["opened", "failed", "peak", "reconnects"]) {
    count(connections[name], `${path}.connections.${name}`);
  }
  delivery(pod.delivery, `${path}.delivery`);
  for (const name of ["fanout", "e2e", "reconnectTime"]) text(pod[name], `${path}.${name}`);
  return pod as unknown as SnapshotPod;
}

function seriesEntry(value: unknown, path: string): SeriesEntry {
  const entry = record(value, path);
  for (const name of ["bucket", "connections", "frames", "errors"]) count(entry[name], `${path}.${name}`);
  list(entry.fanout, `${path}.fanout`).forEach((pair, i) => {
    const [index, n] = list(pair, `${path}.fanout[${i}]`);
    count(index, `${path}.fanout[${i}][0]`);
    count(n, `${path}.fanout[${i}][1]`);
  });
  return entry as unknown as SeriesEntry;
}

/** Checks every field handleSummary reads; throws StoredValueError naming the first bad one. */
function checkSnapshot(value: unknown): RecorderSnapshot {
  const snapshot = record(value, "snapshot");
  count(snapshot.vu, "vu");
  for (const [pod, figures] of Object.entries(record(snapshot.pods, "pods")))
    snapshotPod(figures, `pods.${pod}`);
  list(snapshot.matrix, "matrix").forEach((value, i) => {
    const cell = record(value, `matrix[${i}]`);
    for (const name of ["origin", "deliveredBy", "fanout"]) text(cell[name], `matrix[${i}].${name}`);
    count(cell.received, `matrix[${i}].received`);
  });
  list(snapshot.series, "series").forEach((entry, i) => {
    seriesEntry(entry, `series[${i}]`);
  });
  list(snapshot.events, "events").forEach((event, i) => {
    runEvent(event, `events[${i}]`);
  });
  return snapshot as unknown as RecorderSnapshot;
}

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
  try {
    return checkSnapshot(value);
  } catch (error) {
    if (!(error instanceof StoredValueError)) throw error;
    throw new SnapshotError(`subscriber snapshot ${index} is malformed at ${error.message}`);
  }
}

export function mergeSnapshots(snapshots: readonly RecorderSnapshot[]): MergedSnapshots {
  const pods = new Map<string, PodRecorder>();
  const cells = new MatrixCellSum();
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
      cells.add(cell.origin, cell.deliveredBy, decode(cell.fanout), cell.received);
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
    matrix: cells.values().sort((a, b) => byText(a.origin, b.origin) || byText(a.deliveredBy, b.deliveredBy)),
    buckets: [...buckets.values()].sort((a, b) => a.bucket - b.bucket),
    events: events.sort((a, b) => a.t - b.t),
    vus: snapshots.map((snapshot) => snapshot.vu),
  };
}
