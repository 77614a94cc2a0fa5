import { describe, expect, it } from "vitest";
import {
  checkSegmentCover,
  ExecutionSegmentError,
  nthSegment,
  parseSegment,
} from "../../lib/core/execution-segment.js";

describe("execution segments", () => {
  it("reads k6's notations: ratios, decimals, percentages and a lone end", () => {
    expect(parseSegment("1/3:2/3").text).toBe("1/3:2/3");
    expect(parseSegment("0.25:0.5").text).toBe("1/4:1/2");
    expect(parseSegment("50%:100%").text).toBe("1/2:1");
    expect(parseSegment("1/4").text).toBe("0:1/4");
    expect(nthSegment(2, 3).text).toBe("1/3:2/3");
  });

  it("refuses segments that are empty, reversed, above 1 or not fractions, naming the input", () => {
    for (const bad of ["", "2/3:1/3", "1/2:1/2", "3/2", "a:b", "1/0", "0:1:2", "-1/3:1"]) {
      expect(() => parseSegment(bad), bad).toThrow(ExecutionSegmentError);
    }
    expect(() => parseSegment("x:1")).toThrow(/"x:1"/);
    expect(() => nthSegment(4, 3)).toThrow(/from 1 to 3/);
  });

  it("names the runners that did not report and the ones that reported twice", () => {
    expect(() => checkSegmentCover(["0:1/3", "1/3:2/3", "2/3:1"])).not.toThrow();
    expect(() => checkSegmentCover(["0:1/3", "2/3:1"])).toThrow("execution segments missing: 1/3:2/3");
    expect(() => checkSegmentCover(["0:1/3", "0:1/3", "1/3:1"])).toThrow(/overlaps/);
    expect(() => checkSegmentCover(["1/3:1"])).toThrow("missing: 0:1/3");
  });
});
