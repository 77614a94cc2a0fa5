// A Prometheus histogram for the per-frame hot path, exposed through a prom-client Registry.
// prom-client's Histogram hashes its labels on every observe (~0.6 µs measured here, two per frame);
// at 100k frames/s that is a tenth of a core, so each series here is a pre-bound array of bucket counts
// (~20 ns per observe) that the registry reads only when /metrics is scraped. A bucket keeps the latest
// traced observation as its OpenMetrics exemplar (trace_id), which an OpenMetrics registry renders.
import type { Metric } from "prom-client";

interface Exemplar {
  labelSet: { trace_id: string };
  value: number;
  /** Unix seconds, as prom-client renders exemplar timestamps. */
  timestamp: number;
}

/** What prom-client's Registry reads from a metric (its `get()` result at run time). */
interface ExposedValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
  exemplar?: Exemplar;
}

export class HistogramSeries {
  readonly counts: Float64Array;
  /** Per bucket (the last one is +Inf), allocated at the first traced observation. */
  exemplars: (Exemplar | undefined)[] | undefined;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly upperBounds: readonly number[],
  ) {
    this.counts = new Float64Array(upperBounds.length);
  }

  /** `traceId`: the observed frame's trace, when it was traced; becomes the bucket's exemplar. */
  observe(value: number, traceId?: string): void {
    this.sum += value;
    this.count += 1;
    const bounds = this.upperBounds;
    let i = 0;
    for (; i < bounds.length; i++) {
      if (value <= (bounds[i] as number)) {
        (this.counts as Float64Array)[i] = (this.counts[i] as number) + 1;
        break;
      }
    }
    if (traceId === undefined) return;
    this.exemplars ??= new Array(bounds.length + 1).fill(undefined);
    this.exemplars[i] = { labelSet: { trace_id: traceId }, value, timestamp: Date.now() / 1000 };
  }
}

export class BucketHistogramMetric {
  readonly type = "histogram";
  readonly aggregator = "sum";
  private readonly all = new Map<string, HistogramSeries>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly upperBounds: readonly number[],
  ) {}

  /** The series for one label set; keep the returned object and call observe on it per value. */
  series(labels: Readonly<Record<string, string>>): HistogramSeries {
    const key = JSON.stringify(labels);
    let series = this.all.get(key);
    if (!series) {
      series = new HistogramSeries(labels, this.upperBounds);
      this.all.set(key, series);
    }
    return series;
  }

  get(): { name: string; help: string; type: "histogram"; aggregator: "sum"; values: ExposedValue[] } {
    const values: ExposedValue[] = [];
    for (const series of this.all.values()) {
      let cumulative = 0;
      const exemplars = series.exemplars;
      this.upperBounds.forEach((bound, i) => {
        cumulative += series.counts[i] ?? 0;
        const exemplar = exemplars?.[i];
        values.push({
          metricName: `${this.name}_bucket`,
          labels: { ...series.labels, le: bound },
          value: cumulative,
          ...(exemplar ? { exemplar } : {}),
        });
      });
      const overflow = exemplars?.[this.upperBounds.length];
      values.push(
        {
          metricName: `${this.name}_bucket`,
          labels: { ...series.labels, le: "+Inf" },
          value: series.count,
          ...(overflow ? { exemplar: overflow } : {}),
        },
        { metricName: `${this.name}_sum`, labels: { ...series.labels }, value: series.sum },
        { metricName: `${this.name}_count`, labels: { ...series.labels }, value: series.count },
      );
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.all.clear();
  }

  /** The registry accepts any object with this shape; its type only lists prom-client's own classes. */
  asMetric(): Metric {
    return this as unknown as Metric;
  }
}
