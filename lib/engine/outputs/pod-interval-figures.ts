// Per-pod figures over the interval between two readings of the load metrics: connections now, frames per
// second, and fan-out / end-to-end quantiles estimated from the histogram buckets filled in the interval
// (linear within a bucket, as Prometheus's histogram_quantile does). The CSV output writes one row per pod
// from these and the live dashboard plots them.
import { loadMetrics } from "../../core/metric-names.js";
import type { MetricSample } from "./registry-samples.js";

export interface PodIntervalFigures {
  pod: string;
  connections: number;
  framesReceived: number;
  framesPerSecond: number;
  /** Undefined when no frame arrived in the interval. */
  fanoutP50Ms: number | undefined;
  fanoutP99Ms: number | undefined;
  e2eP99Ms: number | undefined;
  lost: number;
  duplicates: number;
  outOfOrder: number;
  reconnects: number;
}

export interface MetricsReading {
  atMs: number;
  samples: MetricSample[];
}

type Buckets = Map<number, number>;

function podValue(samples: readonly MetricSample[], name: string, pod: string): number {
  let total = 0;
  for (const sample of samples) if (sample.name === name && sample.labels.pod === pod) total += sample.value;
  return total;
}

function buckets(samples: readonly MetricSample[], name: string, pod: string): Buckets {
  const result: Buckets = new Map();
  for (const sample of samples) {
    if (sample.name !== `${name}_bucket` || sample.labels.pod !== pod) continue;
    const le = sample.labels.le === "+Inf" ? Number.POSITIVE_INFINITY : Number(sample.labels.le);
    result.set(le, (result.get(le) ?? 0) + sample.value);
  }
  return result;
}

/** The q-quantile (ms) of what the cumulative buckets gained between `before` and `after`. */
export function intervalQuantileMs(before: Buckets, after: Buckets, q: number): number | undefined {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const gained = bounds.map((le) => (after.get(le) ?? 0) - (before.get(le) ?? 0));
  const total = gained.at(-1) ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  for (let i = 0; i < bounds.length; i++) {
    const cumulative = gained[i] ?? 0;
    if (cumulative < rank) continue;
    const upper = bounds[i] as number;
    const lower = i === 0 ? 0 : (bounds[i - 1] as number);
    // Past the last finite bound nothing is known but the bound itself.
    if (!Number.isFinite(upper)) return lower * 1000;
    const below = i === 0 ? 0 : (gained[i - 1] ?? 0);
    const inBucket = cumulative - below;
    const fraction = inBucket > 0 ? (rank - below) / inBucket : 1;
    return (lower + (upper - lower) * fraction) * 1000;
  }
  return undefined;
}

export function podsIn(reading: MetricsReading): string[] {
  const pods = new Set<string>();
  for (const sample of reading.samples) if (sample.labels.pod !== undefined) pods.add(sample.labels.pod);
  return [...pods].sort();
}

export function podIntervalFigures(
  previous: MetricsReading | undefined,
  current: MetricsReading,
): PodIntervalFigures[] {
  const fanout = `${loadMetrics.fanoutLatency}_seconds`;
  const e2e = `${loadMetrics.e2eLatency}_seconds`;
  const frames = `${loadMetrics.framesReceived}_total`;
  const seconds = previous === undefined ? 0 : (current.atMs - previous.atMs) / 1000;
  return podsIn(current).map((pod) => {
    const earlier = previous?.samples ?? [];
    const framesReceived = podValue(current.samples, frames, pod);
    const framesBefore = podValue(earlier, frames, pod);
    return {
      pod,
      connections: podValue(current.samples, loadMetrics.connections, pod),
      framesReceived,
      framesPerSecond: seconds > 0 ? Math.max(0, framesReceived - framesBefore) / seconds : 0,
      fanoutP50Ms: intervalQuantileMs(
        buckets(earlier, fanout, pod),
        buckets(current.samples, fanout, pod),
        0.5,
      ),
      fanoutP99Ms: intervalQuantileMs(
        buckets(earlier, fanout, pod),
        buckets(current.samples, fanout, pod),
        0.99,
      ),
      e2eP99Ms: intervalQuantileMs(buckets(earlier, e2e, pod), buckets(current.samples, e2e, pod), 0.99),
      lost: podValue(current.samples, `${loadMetrics.lost}_total`, pod),
      duplicates: podValue(current.samples, `${loadMetrics.duplicates}_total`, pod),
      outOfOrder: podValue(current.samples, `${loadMetrics.outOfOrder}_total`, pod),
      reconnects: podValue(current.samples, `${loadMetrics.reconnects}_total`, pod),
    };
  });
}
