// The pieces of `target check`'s advice on their own: a frame sample keeps the probe in view however far
// into the frame it sits, and the probe is found by value wherever the frame keeps it.
import { describe, expect, it } from "vitest";
import { findProbePath } from "../../lib/engine/target-check-warnings.js";
import { sampleAround } from "../../lib/engine/target-smoke.js";

describe("target check advice", () => {
  it("samples a long frame around the probe instead of cutting before it", () => {
    const text = `{"type":"new_threat","pad":"${"x".repeat(500)}","data":{"description":"crosspod check-abc1"}}`;
    const sample = sampleAround(text, "check-abc1");
    expect(sample).toContain("check-abc1");
    expect(sample.length).toBeLessThanOrEqual(202);
    expect(sampleAround('{"short":1}', "check-abc1")).toBe('{"short":1}');
    expect(sampleAround("y".repeat(300), "check-abc1")).toBe(`${"y".repeat(200)}…`);
  });

  it("finds the probe as text or as an object, and names its path", () => {
    expect(findProbePath({ data: { description: "load test {run:check-1}" } }, "check-1")).toBe(
      "data.description",
    );
    expect(findProbePath({ items: [{ meta: { run: "check-1", n: 1 } }] }, "check-1")).toBe("items[0].meta");
    expect(findProbePath({ data: {} }, "check-1")).toBeUndefined();
  });
});
