// Latency distribution in an HDR histogram (µs resolution, 3 significant digits), mergeable exactly across
// connections, pods, processes and k6 segments through its standard compressed base64 form.
// Only hdr-histogram-js's counting classes are imported (never its index, which pulls in WebAssembly, nor its
// encoding module, which pulls in pako): the encoding is crosspod's own uncompressed V2 (hdr-v2-encoding.ts),
// so k6 bundles carry the histogram code they need and nothing more.

import * as float64Module from "hdr-histogram-js/dist/Float64Histogram.js";
import type { JsHistogram } from "hdr-histogram-js/dist/JsHistogram.js";
import { decodeBase64, encodeBase64 } from "./base64.js";
import { decodeHdrV2Into, encodeHdrV2 } from "./hdr-v2-encoding.js";
import { HistogramError } from "./histogram-error.js";
import type { LatencySummary } from "./report-model.js";

const lowestMicros = 1;
/** One hour: anything slower is recorded as one hour, so a stuck frame still counts without resizing. */
const highestMicros = 3_600_000_000;
const significantDigits = 3;
/**
 * Float64 counts: an Int32 bucket could overflow in a long soak merged over many segments. Imported alone
 * rather than through hdr-histogram-js's factory, which would bundle its packed-array histograms into k6.
 * The module is CommonJS: Node's ESM loader hands over its whole `exports` as the default, a bundler honouring
 * `__esModule` hands over `exports.default`; take whichever is the class.
 */
type Float64HistogramClass = new (lowest: number, highest: number, digits: number) => JsHistogram;
const float64Export = (
  float64Module as unknown as { default: Float64HistogramClass | { default: Float64HistogramClass } }
).default;
const Float64Histogram = typeof float64Export === "function" ? float64Export : float64Export.default;

function newHistogram(): JsHistogram {
  return new Float64Histogram(lowestMicros, highestMicros, significantDigits);
}

function toMicros(ms: number): number {
  if (!(ms > 0)) return 0;
  const micros = Math.round(ms * 1000);
  return Math.min(micros, highestMicros);
}

export class LatencyHistogram {
  private histogram: JsHistogram = newHistogram();

  /** Negative (clock skew) and NaN values record as 0; values above one hour record as one hour. */
  recordMs(ms: number): void {
    this.histogram.recordValue(toMicros(ms));
  }

  merge(other: LatencyHistogram): void {
    this.histogram.add(other.histogram);
  }

  /** Value at percentile `p` in [0, 100], in ms; 0 when empty. */
  percentileMs(p: number): number {
    if (!(p >= 0 && p <= 100)) {
      throw new HistogramError(`percentile ${p} is out of range: expected a number from 0 to 100`);
    }
    return (this.scan([p]).values[0] ?? 0) / 1000;
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /** min and max are the bucket-equivalent values (as HdrHistogram reports them), so they survive encoding. */
  summary(): LatencySummary {
    const count = this.histogram.totalCount;
    if (count === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
    const { values, meanMicros } = this.scan(summaryPercentiles);
    const [min = 0, p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0] = values.map((micros) => micros / 1000);
    return { count, min, mean: meanMicros / 1000, p50, p90, p99, p999, max };
  }

  /** HdrHistogram V2 (uncompressed) in base64, readable by any HdrHistogram implementation. */
  encode(): string {
    return encodeBase64(encodeHdrV2(this.histogram));
  }

  static decode(encoded: string): LatencyHistogram {
    const bytes = decodeBase64(encoded);
    if (bytes === undefined) {
      throw new HistogramError(`histogram encoding "${preview(encoded)}" is not base64`);
    }
    const result = new LatencyHistogram();
    try {
      decodeHdrV2Into(bytes, result.histogram);
    } catch (error) {
      throw new HistogramError(`histogram encoding "${preview(encoded)}": ${(error as Error).message}`);
    }
    return result;
  }

  reset(): void {
    this.histogram.reset();
  }

  /**
   * Values (µs) at ascending percentiles and the mean, in one pass over the counts. Same rounding as
   * HdrHistogram's getValueAtPercentile, which rescans the counts for every percentile and costs ~100x
   * more under k6's interpreter.
   */
  private scan(percentiles: readonly number[]): { values: number[]; meanMicros: number } {
    const histogram = this.histogram;
    const total = histogram.totalCount;
    const values: number[] = [];
    if (total === 0) return { values, meanMicros: 0 };
    const targets = percentiles.map((p) => countAtPercentile(p, total));
    let next = 0;
    let seen = 0;
    let sum = 0;
    for (let index = 0; index < histogram.countsArrayLength && seen < total; index++) {
      const count = histogram.getCountAtIndex(index);
      if (count === 0) continue;
      const value = histogram.valueFromIndex(index);
      seen += count;
      sum += count * histogram.medianEquivalentValue(value);
      while (next < targets.length && seen >= (targets[next] as number)) {
        values.push(
          percentiles[next] === 0
            ? histogram.lowestEquivalentValue(value)
            : histogram.highestEquivalentValue(value),
        );
        next++;
      }
    }
    return { values, meanMicros: sum / total };
  }
}

const summaryPercentiles = [0, 50, 90, 99, 99.9, 100];

/** The count a percentile must reach: rounded up, minus one ulp of float noise, at least the first value. */
function countAtPercentile(p: number, total: number): number {
  const exact = (p / 100) * total;
  const ulp = exact > 0 ? 2 ** (Math.floor(Math.log2(exact)) - 52) : 0;
  return Math.max(Math.ceil(exact - ulp), 1);
}

function preview(text: string): string {
  return text.length > 24 ? `${text.slice(0, 24)}…` : text;
}
