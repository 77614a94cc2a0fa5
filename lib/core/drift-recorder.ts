// Accumulates a soak's drift figures as samples arrive: per pod RSS, heap, event-loop lag and connections,
// Redis memory and stream length, and fan-out p99 per window. Slopes use only samples of the steady phase
// (after the warm-up, until stop()); memory stays flat however long the run (running sums, thinned plots).
import type { DriftFigures, DriftSettings, PodDrift } from "./drift-figures.js";
import { FanoutWindows, fanoutP99Drift } from "./fanout-windows.js";
import type { LatencyHistogram } from "./latency-histogram.js";
import { LinearTrend } from "./linear-trend.js";
import { ThinnedSeries } from "./thinned-series.js";

/** One pod's resource readings at one time; a missing value was not exported (another backend). */
export interface PodResourceSample {
  rssBytes?: number;
  heapUsedBytes?: number;
  eventLoopLagSeconds?: number;
  connections?: number;
}

export interface RedisResourceSample {
  usedMemoryBytes?: number;
  streamLength?: number;
}

const mebibyte = 2 ** 20;
const secondsPerHour = 3600;

interface PodTrends {
  samples: number;
  rss: LinearTrend;
  heap: LinearTrend;
  lag: LinearTrend;
  connections: LinearTrend;
  last: PodDrift["last"];
  rssSeries: ThinnedSeries;
}

function perHour(trend: LinearTrend): number | null {
  const slope = trend.slope();
  return slope === undefined ? null : slope * secondsPerHour;
}

export class DriftRecorder {
  private readonly pods = new Map<string, PodTrends>();
  private readonly redis = {
    samples: 0,
    memory: new LinearTrend(),
    stream: new LinearTrend(),
    last: { memoryMiB: null as number | null, streamLength: null as number | null },
  };
  private readonly windows: FanoutWindows;
  private readonly steadyFrom: number;
  private stoppedAt: number | undefined;
  private lastSampleAt: number | undefined;
  private errors = 0;

  /** `triggerStartSeconds`: when the trigger phase began, seconds since the run started (all t are). */
  constructor(
    private readonly settings: DriftSettings,
    triggerStartSeconds: number,
  ) {
    this.steadyFrom = triggerStartSeconds + settings.warmupSeconds;
    this.windows = new FanoutWindows(triggerStartSeconds, settings.windowSeconds);
  }

  private steady(t: number): boolean {
    return t >= this.steadyFrom && (this.stoppedAt === undefined || t <= this.stoppedAt);
  }

  podSample(pod: string, t: number, sample: PodResourceSample): void {
    let trends = this.pods.get(pod);
    if (!trends) {
      trends = {
        samples: 0,
        rss: new LinearTrend(),
        heap: new LinearTrend(),
        lag: new LinearTrend(),
        connections: new LinearTrend(),
        last: { rssMiB: null, heapMiB: null, eventLoopLagMs: null, connections: null },
        rssSeries: new ThinnedSeries(),
      };
      this.pods.set(pod, trends);
    }
    trends.samples += 1;
    this.lastSampleAt = t;
    const rssMiB = sample.rssBytes === undefined ? undefined : sample.rssBytes / mebibyte;
    const heapMiB = sample.heapUsedBytes === undefined ? undefined : sample.heapUsedBytes / mebibyte;
    const lagMs = sample.eventLoopLagSeconds === undefined ? undefined : sample.eventLoopLagSeconds * 1000;
    if (rssMiB !== undefined) trends.rssSeries.add(t, rssMiB);
    trends.last = {
      rssMiB: rssMiB ?? trends.last.rssMiB,
      heapMiB: heapMiB ?? trends.last.heapMiB,
      eventLoopLagMs: lagMs ?? trends.last.eventLoopLagMs,
      connections: sample.connections ?? trends.last.connections,
    };
    if (!this.steady(t)) return;
    if (rssMiB !== undefined) trends.rss.add(t, rssMiB);
    if (heapMiB !== undefined) trends.heap.add(t, heapMiB);
    if (lagMs !== undefined) trends.lag.add(t, lagMs);
    if (sample.connections !== undefined) trends.connections.add(t, sample.connections);
  }

  redisSample(t: number, sample: RedisResourceSample): void {
    this.redis.samples += 1;
    const memoryMiB = sample.usedMemoryBytes === undefined ? undefined : sample.usedMemoryBytes / mebibyte;
    if (memoryMiB !== undefined) this.redis.last.memoryMiB = memoryMiB;
    if (sample.streamLength !== undefined) this.redis.last.streamLength = sample.streamLength;
    if (!this.steady(t)) return;
    if (memoryMiB !== undefined) this.redis.memory.add(t, memoryMiB);
    if (sample.streamLength !== undefined) this.redis.stream.add(t, sample.streamLength);
  }

  /** A sample that could not be taken: counted, so a report can say how much it rests on. */
  sampleFailed(): void {
    this.errors += 1;
  }

  /** The fan-out latencies of the second ending at `t`, during the trigger phase. */
  fanoutSecond(t: number, second: LatencyHistogram): void {
    if (this.stoppedAt !== undefined) return;
    this.windows.add(t, second);
  }

  /** The trigger phase ended at `t`: later samples (drain, teardown) are not judged. */
  stop(t: number): void {
    this.stoppedAt ??= t;
  }

  figures(): DriftFigures {
    const to = this.stoppedAt ?? this.lastSampleAt;
    const pods: Record<string, PodDrift> = {};
    for (const [name, trends] of this.pods) {
      pods[name] = {
        samples: trends.samples,
        rssMiBPerHour: perHour(trends.rss),
        heapMiBPerHour: perHour(trends.heap),
        eventLoopLagMsPerHour: perHour(trends.lag),
        connectionsPerHour: perHour(trends.connections),
        last: { ...trends.last },
        rssSeries: trends.rssSeries.values(),
      };
    }
    const windows = this.windows.windows();
    return {
      ...this.settings,
      steady: to !== undefined && to > this.steadyFrom ? { from: this.steadyFrom, to } : null,
      pods,
      redis:
        this.redis.samples === 0
          ? null
          : {
              samples: this.redis.samples,
              memoryMiBPerHour: perHour(this.redis.memory),
              streamLengthPerHour: perHour(this.redis.stream),
              last: { ...this.redis.last },
            },
      fanoutWindows: windows,
      fanoutP99Drift: fanoutP99Drift(windows, this.steadyFrom),
      sampleErrors: this.errors,
    };
  }
}
