import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkSegmentCover,
  ExecutionSegmentError,
  equalSegmentSequence,
  nthSegment,
  parseSegment,
  segmentItems,
  segmentShare,
} from "../../lib/core/execution-segment.js";

describe("execution segments", () => {
  it("reads k6's notations: ratios, decimals, percentages and a lone end", () => {
    expect(parseSegment("1/3:2/3").text).toBe("1/3:2/3");
    expect(parseSegment("0.25:0.5").text).toBe("1/4:1/2");
    expect(parseSegment("50%:100%").text).toBe("1/2:1");
    expect(parseSegment("1/4").text).toBe("0:1/4");
    expect(nthSegment(2, 3).text).toBe("1/3:2/3");
    expect(equalSegmentSequence(3)).toBe("0,1/3,2/3,1");
  });

  it("refuses segments that are empty, reversed, above 1 or not fractions, naming the input", () => {
    for (const bad of ["", "2/3:1/3", "1/2:1/2", "3/2", "a:b", "1/0", "0:1:2", "-1/3:1"]) {
      expect(() => parseSegment(bad), bad).toThrow(ExecutionSegmentError);
    }
    expect(() => parseSegment("x:1")).toThrow(/"x:1"/);
    expect(() => nthSegment(4, 3)).toThrow(/from 1 to 3/);
  });

  it("gives every item exactly one owner among segments that tile the run, whatever the split", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 59 }), { maxLength: 6 }),
        fc.integer({ min: 0, max: 500 }),
        (cuts, items) => {
          const points = [0, ...cuts.sort((a, b) => a - b), 60];
          const segments = points.slice(1).map((to, index) => parseSegment(`${points[index]}/60:${to}/60`));
          const owned = segments.flatMap((segment) => {
            const mine = segmentItems(segment, items);
            expect(mine).toHaveLength(segmentShare(segment, items));
            return mine;
          });
          expect(owned.sort((a, b) => a - b)).toEqual(Array.from({ length: items }, (_, item) => item));
        },
      ),
      { numRuns: 100 },
    );
  });

  it("spreads a segment's items over the run instead of giving it one block", () => {
    const third = nthSegment(2, 3);
    const owned = segmentItems(third, 300);
    expect(owned).toHaveLength(100);
    expect(owned[0]).toBeLessThan(10);
    expect(owned.at(-1)).toBeGreaterThan(290);
    const gaps = owned.slice(1).map((item, index) => item - (owned[index] ?? 0));
    expect(Math.max(...gaps)).toBeLessThan(10);
  });

  it("names the runners that did not report and the ones that reported twice", () => {
    expect(() => checkSegmentCover(["0:1/3", "1/3:2/3", "2/3:1"])).not.toThrow();
    expect(() => checkSegmentCover(["0:1/3", "2/3:1"])).toThrow("execution segments missing: 1/3:2/3");
    expect(() => checkSegmentCover(["0:1/3", "0:1/3", "1/3:1"])).toThrow(/overlaps/);
    expect(() => checkSegmentCover(["1/3:1"])).toThrow("missing: 0:1/3");
  });
});
