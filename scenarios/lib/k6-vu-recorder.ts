// What one subscriber VU accumulates while its connections receive frames: lib/core's PodRecorder per
// delivering pod, the origin -> deliverer latency cells, and time-series buckets (open connections, frames,
// errors and fan-out latencies per bucket). At the end it becomes a snapshot that handleSummary merges
// with every other VU's (see k6-recorder-snapshot.ts): VUs share no memory, and HDR histograms merge exactly.
import { LatencyHistogram } from "../../lib/core/latency-histogram.js";
import type { RunEvent } from "../../lib/core/report-model.js";
import { PodRecorder } from "../../lib/core/run-recorder.js";
import type { RecorderSnapshot, SeriesEntry } from "./k6-recorder-snapshot.js";
import { SeriesHistogram } from "./k6-series-histogram.js";

interface MatrixCellState {
  origin: string;
  deliveredBy: string;
  fanout: LatencyHistogram;
  received: number;
}

function encoded(histogram: LatencyHistogram): string {
  return histogram.count === 0 ? "" : histogram.encode();
}

export class VuRecorder {
  readonly pods = new Map<string, PodRecorder>();
  private readonly cells = new Map<string, MatrixCellState>();
  private readonly openByPod = new Map<string, number>();
  private readonly series: SeriesEntry[] = [];
  private readonly events: RunEvent[] = [];
  private open = 0;
  private bucket: number;
  private bucketFrames = 0;
  private bucketErrors = 0;
  private readonly bucketFanout = new SeriesHistogram();

  constructor(
    private readonly startedAtMs: number,
    private readonly bucketMs: number,
    nowMs: number,
  ) {
    this.bucket = this.bucketOf(nowMs);
  }

  pod(name: string): PodRecorder {
    let recorder = this.pods.get(name);
    if (recorder === undefined) {
      recorder = new PodRecorder();
      this.pods.set(name, recorder);
    }
    return recorder;
  }

  /** A connection on `pod` said hello (first time or after a reconnect). */
  connectionUp(pod: string, atMs: number): void {
    this.advance(atMs);
    const open = (this.openByPod.get(pod) ?? 0) + 1;
    this.openByPod.set(pod, open);
    this.open += 1;
    const connections = this.pod(pod).connections;
    if (open > connections.peak) connections.peak = open;
  }

  connectionDown(pod: string, atMs: number): void {
    this.advance(atMs);
    this.openByPod.set(pod, Math.max(0, (this.openByPod.get(pod) ?? 0) - 1));
    this.open = Math.max(0, this.open - 1);
  }

  /** fanoutMs: undefined when the frame says nothing of when it was published (counted, not timed). */
  frame(
    pod: string,
    origin: string,
    fanoutMs: number | undefined,
    e2eMs: number | undefined,
    atMs: number,
  ): void {
    this.advance(atMs);
    const recorder = this.pod(pod);
    if (e2eMs !== undefined) recorder.e2e.recordMs(e2eMs);
    const key = `${origin}\u0000${pod}`;
    let cell = this.cells.get(key);
    if (cell === undefined) {
      cell = { origin, deliveredBy: pod, fanout: new LatencyHistogram(), received: 0 };
      this.cells.set(key, cell);
    }
    cell.received += 1;
    this.bucketFrames += 1;
    if (fanoutMs === undefined) return;
    recorder.fanout.recordMs(fanoutMs);
    cell.fanout.recordMs(fanoutMs);
    this.bucketFanout.recordMs(fanoutMs);
  }

  /** A failed connect, an unexpected drop or an unreadable frame: counted in the time series' errors. */
  error(atMs: number): void {
    this.advance(atMs);
    this.bucketErrors += 1;
  }

  event(event: Omit<RunEvent, "t">, atMs: number): void {
    this.events.push({ t: Math.max(0, (atMs - this.startedAtMs) / 1000), ...event });
  }

  /** Closes the buckets that ended before `atMs`; called on every record and by a timer between frames. */
  advance(atMs: number): void {
    const current = this.bucketOf(atMs);
    while (this.bucket < current) this.closeBucket();
  }

  snapshot(vu: number, atMs: number): RecorderSnapshot {
    this.advance(atMs);
    this.closeBucket();
    return {
      vu,
      pods: Object.fromEntries(
        [...this.pods].map(([name, recorder]) => [
          name,
          {
            connections: { ...recorder.connections },
            delivery: recorder.delivery,
            fanout: encoded(recorder.fanout),
            e2e: encoded(recorder.e2e),
            reconnectTime: encoded(recorder.reconnectTime),
          },
        ]),
      ),
      matrix: [...this.cells.values()].map((cell) => ({
        origin: cell.origin,
        deliveredBy: cell.deliveredBy,
        fanout: encoded(cell.fanout),
        received: cell.received,
      })),
      series: this.series,
      events: this.events,
    };
  }

  private bucketOf(atMs: number): number {
    return Math.max(0, Math.floor((atMs - this.startedAtMs) / this.bucketMs));
  }

  private closeBucket(): void {
    this.series.push({
      bucket: this.bucket,
      connections: this.open,
      frames: this.bucketFrames,
      errors: this.bucketErrors,
      fanout: this.bucketFanout.toSparse(),
    });
    this.bucket += 1;
    this.bucketFrames = 0;
    this.bucketErrors = 0;
    this.bucketFanout.reset();
  }
}
