// What the live dashboard shows, accumulated from the engine's readings: per-pod series over run time
// (fan-out p50/p99, frames/s, connections), the progress totals (phase, triggers, errors) and chaos markers
// seen as increments of crosspod_chaos_events_total. Bounded: past maxPoints per series every other point
// is dropped, so an hours-long soak keeps a fixed memory and a readable chart.
import { loadMetrics } from "../../core/metric-names.js";
import type { XY } from "../../report/series-downsample.js";
import type { MetricsReading, PodIntervalFigures } from "../outputs/pod-interval-figures.js";
import type { RunProgress } from "../run-progress.js";

export interface ChaosMarker {
  t: number;
  action: string;
  target: string;
}

export interface PodSeries {
  fanoutP50: XY[];
  fanoutP99: XY[];
  framesPerSecond: XY[];
  connections: XY[];
}

const maxPoints = 1200;

function push(series: XY[], point: XY): void {
  series.push(point);
  if (series.length > maxPoints) {
    const kept = series.filter((_, index) => index % 2 === 0 || index === series.length - 1);
    series.splice(0, series.length, ...kept);
  }
}

export class DashboardState {
  readonly pods = new Map<string, PodSeries>();
  readonly markers: ChaosMarker[] = [];
  progress: RunProgress | undefined;
  latest: PodIntervalFigures[] = [];
  private readonly chaosSeen = new Map<string, number>();
  private startedAtMs: number | undefined;

  constructor(readonly runId: string) {}

  elapsedSeconds(atMs: number): number {
    this.startedAtMs ??= atMs;
    return Math.max(0, (atMs - this.startedAtMs) / 1000);
  }

  addReading(reading: MetricsReading, figures: readonly PodIntervalFigures[]): void {
    const t = this.elapsedSeconds(reading.atMs);
    this.latest = [...figures];
    for (const pod of figures) {
      let series = this.pods.get(pod.pod);
      if (!series) {
        series = { fanoutP50: [], fanoutP99: [], framesPerSecond: [], connections: [] };
        this.pods.set(pod.pod, series);
      }
      if (pod.fanoutP50Ms !== undefined) push(series.fanoutP50, [t, pod.fanoutP50Ms]);
      if (pod.fanoutP99Ms !== undefined) push(series.fanoutP99, [t, pod.fanoutP99Ms]);
      push(series.framesPerSecond, [t, pod.framesPerSecond]);
      push(series.connections, [t, pod.connections]);
    }
    for (const sample of reading.samples) {
      if (sample.name !== `${loadMetrics.chaosEvents}_total`) continue;
      const action = sample.labels.action ?? "chaos";
      const target = sample.labels.target ?? "";
      const key = `${action} ${target}`;
      const before = this.chaosSeen.get(key) ?? 0;
      for (let i = before; i < sample.value; i++) this.markers.push({ t, action, target });
      this.chaosSeen.set(key, Math.max(before, sample.value));
    }
  }

  setProgress(progress: RunProgress): void {
    this.progress = progress;
  }
}
