import { describe, expect, it } from "vitest";
import { downsampleMinMax, type XY } from "../../lib/report/series-downsample.js";

describe("downsampleMinMax", () => {
  it("keeps short series unchanged", () => {
    const points: XY[] = [
      [0, 1],
      [1, 2],
    ];
    expect(downsampleMinMax(points, 100)).toEqual(points);
  });

  it("caps a day of per-second points and keeps a one-second spike", () => {
    const points: XY[] = Array.from({ length: 86_400 }, (_, t): XY => [t, t === 51_234 ? 900 : 10 + (t % 7)]);
    const kept = downsampleMinMax(points, 2000);
    expect(kept.length).toBeLessThanOrEqual(2000);
    expect(kept).toContainEqual([51_234, 900]);
    expect(kept[0]).toEqual([0, 10]);
    expect(kept.at(-1)).toEqual(points.at(-1));
    expect(kept.every((point, i) => i === 0 || point[0] > (kept[i - 1]?.[0] ?? -1))).toBe(true);
  });
});
