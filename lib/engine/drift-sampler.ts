// Samples drift during the trigger phase: every pod's /metrics and Redis, every few seconds, into a
// DriftRecorder, plus the engine's per-second fan-out histograms. Owns its timer and Redis connection;
// stop() ends sampling and waits for a sample in flight.
import type { DriftFigures, DriftSettings } from "../core/drift-figures.js";
import { DriftRecorder } from "../core/drift-recorder.js";
import { epochNowMs } from "../core/epoch-clock.js";
import type { LatencyHistogram } from "../core/latency-histogram.js";
import { probePodResources } from "./pod-resource-probe.js";
import { RedisResourceProbe } from "./redis-resource-probe.js";

export interface PodMetricsUrl {
  pod: string;
  metricsUrl: string;
}

export interface DriftSamplerOptions {
  settings: DriftSettings;
  /**
   * Where each pod's /metrics is, asked at every sample; default: each target's URL + /metrics. A local
   * cluster names its pods directly, as a chaos load balancer in front of a pod may answer for another.
   */
  metricsUrls?: () => PodMetricsUrl[];
  /** Redis to sample (memory, stream length), when known. */
  redis?: { url: string; streamKey: string };
}

export class DriftSampler {
  private recorder: DriftRecorder | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private redisProbe: RedisResourceProbe | undefined;
  private runStartMs = 0;
  private pods: () => PodMetricsUrl[] = () => [];

  constructor(private readonly options: DriftSamplerOptions) {}

  get settings(): DriftSettings {
    return this.options.settings;
  }

  /** The trigger phase begins now; `targets` are the run's pods (name, base URL). */
  start(runStartMs: number, targets: ReadonlyArray<{ pod: string; url: string }>): void {
    if (this.recorder) return;
    this.runStartMs = runStartMs;
    this.recorder = new DriftRecorder(this.options.settings, this.seconds(epochNowMs()));
    this.pods =
      this.options.metricsUrls ??
      (() => targets.map(({ pod, url }) => ({ pod, metricsUrl: `${url.replace(/\/+$/, "")}/metrics` })));
    const timeoutMs = Math.max(500, Math.min(5000, this.options.settings.sampleIntervalSeconds * 1000));
    if (this.options.redis) {
      this.redisProbe = new RedisResourceProbe(
        this.options.redis.url,
        this.options.redis.streamKey,
        timeoutMs,
      );
    }
    this.timer = setInterval(() => {
      // A slow pod must not stack samples up: skip a beat rather than queue.
      if (this.inFlight) return;
      const work = this.sample(timeoutMs);
      this.inFlight = work;
      void work.finally(() => {
        if (this.inFlight === work) this.inFlight = undefined;
      });
    }, this.options.settings.sampleIntervalSeconds * 1000);
  }

  private seconds(atMs: number): number {
    return Math.max(0, (atMs - this.runStartMs) / 1000);
  }

  private async sample(timeoutMs: number): Promise<void> {
    const recorder = this.recorder;
    if (!recorder) return;
    const t = this.seconds(epochNowMs());
    const pods = this.pods();
    const redisProbe = this.redisProbe;
    const [podResults, redisResult] = await Promise.all([
      Promise.allSettled(pods.map(({ metricsUrl }) => probePodResources(metricsUrl, timeoutMs))),
      redisProbe
        ? redisProbe.sample().then(
            (value) => ({ ok: true as const, value }),
            () => ({ ok: false as const }),
          )
        : undefined,
    ]);
    podResults.forEach((result, index) => {
      const pod = pods[index]?.pod;
      if (result.status === "fulfilled" && pod !== undefined) recorder.podSample(pod, t, result.value);
      else recorder.sampleFailed();
    });
    if (redisResult?.ok) recorder.redisSample(t, redisResult.value);
    else if (redisResult) recorder.sampleFailed();
  }

  /** Fan-out latencies of the second ending at `atMs`; ignored before start() and after stop(). */
  fanoutSecond(atMs: number, second: LatencyHistogram): void {
    this.recorder?.fanoutSecond(this.seconds(atMs), second);
  }

  /** Ends sampling (the trigger phase is over); idempotent. */
  async stop(): Promise<void> {
    this.recorder?.stop(this.seconds(epochNowMs()));
    clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
    this.redisProbe?.close();
    this.redisProbe = undefined;
  }

  /** The figures so far (a checkpoint) or final (after stop()); undefined when sampling never started. */
  figures(): DriftFigures | undefined {
    return this.recorder?.figures();
  }
}
