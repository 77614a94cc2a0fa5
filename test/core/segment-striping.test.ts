import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseSegment } from "../../lib/core/execution-segment.js";
import {
  parseSegmentSequence,
  resegment,
  scaleStriped,
  segmentTuple,
  stripedIndex,
  stripedItems,
} from "../../lib/core/segment-striping.js";

function tuples(sequenceText: string) {
  const sequence = parseSegmentSequence(sequenceText);
  return sequence.map((segment) => segmentTuple(segment, sequence));
}

describe("k6's striped split of a segment sequence", () => {
  // The tables in the comment on k6's ExecutionTuple (lib/execution_segment.go), for 0:1/2, 1/2:3/4, 3/4:1.
  it("gives each segment k6's iterator positions and ScaleInt64 values", () => {
    const [half, quarter, last] = tuples("0,1/2,3/4,1") as [never, never, never];
    const first = (tuple: never, count: number) =>
      Array.from({ length: count }, (_, k) => stripedIndex(tuple, k));
    expect(first(half, 6)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(first(quarter, 3)).toEqual([1, 5, 9]);
    expect(first(last, 3)).toEqual([3, 7, 11]);
    const scaled = (tuple: never) => Array.from({ length: 12 }, (_, i) => scaleStriped(tuple, i + 1));
    expect(scaled(half)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
    expect(scaled(quarter)).toEqual([0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3]);
    expect(scaled(last)).toEqual([0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3]);
  });

  it("stripes equal thirds round-robin, 10 VUs as 4, 3 and 3", () => {
    const thirds = tuples("0,1/3,2/3,1");
    expect(thirds.map((tuple) => scaleStriped(tuple, 10))).toEqual([4, 3, 3]);
    expect(thirds.map((tuple) => stripedIndex(tuple, 1))).toEqual([3, 4, 5]);
  });

  it("spreads a runner's items evenly over the run, so its triggers keep the run's pace at its share", () => {
    const [, middle] = tuples("0,1/3,2/3,1") as [never, never, never];
    const owned = stripedItems(middle, 300);
    expect(owned).toHaveLength(100);
    const gaps = owned.slice(1).map((item, index) => item - (owned[index] ?? 0));
    expect(Math.max(...gaps)).toBe(3);
  });

  it("fills a lone segment's sequence around it, as k6 does without --execution-segment-sequence", () => {
    const tuple = segmentTuple(parseSegment("1/3:2/3"), []);
    expect(tuple.sequence.map((segment) => segment.text)).toEqual(["0:1/3", "1/3:2/3", "2/3:1"]);
    expect(tuple.index).toBe(1);
    expect(() => segmentTuple(parseSegment("0:1/4"), parseSegmentSequence("0,1/3,1"))).toThrow(
      /not one of the sequence/,
    );
  });

  it("owns every item of the run exactly once over the segments, for any sequence and count", () => {
    const sequences = fc.uniqueArray(fc.integer({ min: 1, max: 11 }), { minLength: 0, maxLength: 4 }).map(
      (cuts) =>
        `0,${[...cuts]
          .sort((a, b) => a - b)
          .map((cut) => `${cut}/12`)
          .join(",")}${cuts.length ? "," : ""}1`,
    );
    fc.assert(
      fc.property(sequences, fc.integer({ min: 0, max: 60 }), (text, n) => {
        const all = tuples(text);
        const owned = all.flatMap((tuple) =>
          Array.from({ length: scaleStriped(tuple, n) }, (_, k) => stripedIndex(tuple, k)),
        );
        expect(owned.sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
        for (const tuple of all) {
          const again = resegment(tuple, 7);
          if (again) expect(scaleStriped(again, 7)).toBe(scaleStriped(tuple, 7));
        }
      }),
    );
  });
});
