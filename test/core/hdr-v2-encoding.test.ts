import fc from "fast-check";
import { decompress, doDecode } from "hdr-histogram-js/dist/JsHistogram.encoding.js";
import { constructorFromBucketSize } from "hdr-histogram-js/dist/JsHistogramFactory.js";
import { describe, expect, it } from "vitest";
import { decodeHdrV2Into, encodeHdrV2 } from "../../lib/core/hdr-v2-encoding.js";
import { HistogramError } from "../../lib/core/histogram-error.js";

const Float64Histogram = constructorFromBucketSize(64);
const newHistogram = () => new Float64Histogram(1, 3_600_000_000, 3);

describe("HdrHistogram V2 encoding", () => {
  it("is read by hdr-histogram-js's own decoder with the same counts, and reads back its own", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3_600_000_000 }), fc.integer({ min: 1, max: 2 ** 40 })), {
          maxLength: 40,
        }),
        (values) => {
          const histogram = newHistogram();
          for (const [value, count] of values) histogram.recordValueWithCount(value, count);
          const bytes = encodeHdrV2(histogram);
          const theirs = doDecode(bytes, 64);
          const ours = newHistogram();
          decodeHdrV2Into(bytes, ours);
          for (const decoded of [theirs, ours]) {
            expect(decoded.totalCount).toBe(histogram.totalCount);
            for (const p of [0, 50, 99, 100])
              expect(decoded.getValueAtPercentile(p)).toBe(histogram.getValueAtPercentile(p));
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it("adds to a histogram that already holds counts", () => {
    const into = newHistogram();
    into.recordValue(10);
    const other = newHistogram();
    other.recordValueWithCount(10, 2);
    other.recordValue(5_000);
    decodeHdrV2Into(encodeHdrV2(other), into);
    expect(into.totalCount).toBe(4);
    expect(into.getCountAtIndex(into.countsArrayIndex(10))).toBe(3);
  });

  it("refuses the compressed form, another range, and a cut-short payload, naming the problem", () => {
    const histogram = newHistogram();
    histogram.recordValue(1_000);
    const compressed = decompressedCookieOf(histogram.encodeIntoCompressedBase64());
    expect(() => decodeHdrV2Into(compressed, newHistogram())).toThrow(/DEFLATE-compressed/);
    const narrow = new Float64Histogram(1, 1_000_000, 3);
    expect(() => decodeHdrV2Into(encodeHdrV2(histogram), narrow)).toThrow(HistogramError);
    const bytes = encodeHdrV2(histogram);
    expect(() => decodeHdrV2Into(bytes.subarray(0, bytes.length - 1), newHistogram())).toThrow(/cut short/);
  });
});

/** The raw bytes of a compressed encoding (cookie first), as a reader would see them. */
function decompressedCookieOf(base64: string): Uint8Array {
  const bytes = new Uint8Array(Buffer.from(base64, "base64"));
  expect(decompress(bytes).length).toBeGreaterThan(0);
  return bytes;
}
