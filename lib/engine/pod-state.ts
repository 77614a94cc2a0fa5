// What the engine accumulates for one delivering pod while frames arrive: the shared PodRecorder
// (histograms, connection and trigger counts), live delivery counters for /metrics and progress, the
// origin -> this pod latency cells of the matrix (the pod's fan-out histogram is their merge, so a frame
// costs one fan-out record, not two), and the pod's pre-bound Prometheus series.
import { LatencyHistogram } from "../core/latency-histogram.js";
import type { MatrixCellInput } from "../core/run-recorder.js";
import { PodRecorder } from "../core/run-recorder.js";
import type { HistogramSeries } from "./bucket-histogram-metric.js";
import type { LoadMetrics, PodCounts } from "./load-metrics.js";

export interface MatrixCellState {
  fanout: LatencyHistogram;
  received: number;
  /** The pair's Prometheus histogram, when the run exports metrics. */
  fanoutSeries: HistogramSeries | undefined;
}

export class PodState {
  readonly recorder = new PodRecorder();
  /** Connections currently open (hello received) on this pod. */
  open = 0;
  framesReceived = 0;
  duplicates = 0;
  outOfOrder = 0;
  /** Known only once the checkers finish, after the drain. */
  lost = 0;
  readonly byOrigin = new Map<string, MatrixCellState>();
  readonly fanoutSeries: HistogramSeries | undefined;
  readonly e2eSeries: HistogramSeries | undefined;
  readonly reconnectTimeSeries: HistogramSeries | undefined;

  constructor(
    readonly name: string,
    private readonly metrics: LoadMetrics | undefined,
  ) {
    this.fanoutSeries = metrics?.fanoutSeries(name);
    this.e2eSeries = metrics?.e2eSeries(name);
    this.reconnectTimeSeries = metrics?.reconnectTimeSeries(name);
  }

  cellFrom(origin: string): MatrixCellState {
    let cell = this.byOrigin.get(origin);
    if (!cell) {
      cell = {
        fanout: new LatencyHistogram(),
        received: 0,
        fanoutSeries: this.metrics?.originFanoutSeries(origin, this.name),
      };
      this.byOrigin.set(origin, cell);
    }
    return cell;
  }

  /** Fan-out over every origin, merged into `into`. Per-frame recording goes to the origin cells only. */
  mergeFanoutInto(into: LatencyHistogram): void {
    for (const cell of this.byOrigin.values()) into.merge(cell.fanout);
  }

  /** Fills the recorder's fan-out histogram from the origin cells; call once, before the report. */
  settleFanout(): void {
    this.recorder.fanout.reset();
    this.mergeFanoutInto(this.recorder.fanout);
  }

  connectionOpened(): void {
    this.open += 1;
    const connections = this.recorder.connections;
    if (this.open > connections.peak) connections.peak = this.open;
  }

  counts(): PodCounts {
    return {
      pod: this.name,
      framesReceived: this.framesReceived,
      lost: this.lost,
      duplicates: this.duplicates,
      outOfOrder: this.outOfOrder,
      reconnects: this.recorder.connections.reconnects,
      connections: this.open,
    };
  }

  matrixCells(): MatrixCellInput[] {
    return [...this.byOrigin].map(([origin, cell]) => ({
      origin,
      deliveredBy: this.name,
      fanout: cell.fanout,
      received: cell.received,
    }));
  }
}
