// `--out prometheus-rw=URL`: pushes the Node engine's load metrics (the same series its /metrics serves,
// labelled {run, pod}) to a Prometheus remote-write endpoint, so dashboards and recording rules work
// without a scrape, as k6's experimental-prometheus-rw output does for k6. Each series also carries the
// caller's extra labels (k6's `testid`, the scrape job's name). Samples are buffered and pushed every few
// seconds and once more at the end; a failed push is kept for the end-of-run message, never thrown.
import type { MetricSample } from "./registry-samples.js";
import { type RemoteSeries, remoteWriteBody, remoteWriteHeaders } from "./remote-write-encoding.js";

const pushTimeoutMs = 10_000;

export class RemoteWriteOutput {
  private pending = new Map<string, RemoteSeries>();
  private inFlight: Promise<void> = Promise.resolve();
  private failure: string | undefined;
  pushes = 0;

  constructor(
    readonly url: string,
    private readonly extraLabels: Readonly<Record<string, string>>,
  ) {}

  add(samples: readonly MetricSample[], atMs: number): void {
    for (const sample of samples) {
      const labels = { ...sample.labels, ...this.extraLabels, __name__: sample.name };
      const key = JSON.stringify(Object.entries(labels).sort());
      let series = this.pending.get(key);
      if (!series) {
        series = { labels, samples: [] };
        this.pending.set(key, series);
      }
      series.samples.push({ value: sample.value, timestampMs: atMs });
    }
  }

  /** Sends what is buffered (one request in flight at a time). */
  flush(): Promise<void> {
    const batch = [...this.pending.values()];
    this.pending = new Map();
    if (batch.length === 0) return this.inFlight;
    this.inFlight = this.inFlight.then(() => this.push(batch));
    return this.inFlight;
  }

  private async push(batch: RemoteSeries[]): Promise<void> {
    try {
      const response = await fetch(this.url, {
        method: "POST",
        headers: remoteWriteHeaders,
        body: remoteWriteBody(batch),
        signal: AbortSignal.timeout(pushTimeoutMs),
      });
      if (!response.ok) {
        this.failure ??= `HTTP ${response.status}: ${(await response.text()).slice(0, 200).trim()}`;
        return;
      }
      this.pushes += 1;
    } catch (error) {
      this.failure ??= error instanceof Error ? error.message : String(error);
    }
  }

  /** The first push failure, if any. */
  problem(): string | undefined {
    return this.failure;
  }
}
