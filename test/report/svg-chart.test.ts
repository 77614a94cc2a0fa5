import { describe, expect, it } from "vitest";
import { timeTicks } from "../../lib/report/axis-ticks.js";
import { renderLineChart } from "../../lib/report/svg-chart.js";

const base = {
  title: "p99",
  xLabel: "run time",
  yLabel: "ms",
  xDomain: [0, 10] as const,
  xTicks: timeTicks(10),
};

describe("renderLineChart", () => {
  it("draws one path per series through every point, with axis ticks and titles", () => {
    const svg = renderLineChart({
      ...base,
      series: [
        {
          name: "a",
          color: "#000",
          points: [
            [0, 1],
            [5, 4],
            [10, 2],
          ],
        },
      ],
    });
    expect(svg.match(/<path class="line" d="M[^"]+"/g)).toHaveLength(1);
    expect(svg).toMatch(/d="M64 \S+ L\S+ \S+ L736 \S+"/);
    expect(svg).toContain(">0:10</text>");
    expect(svg).toContain(">run time</text>");
    expect(svg).not.toContain("NaN");
  });

  it("escapes series names, marker titles and labels", () => {
    const svg = renderLineChart({
      ...base,
      title: "<t>",
      series: [{ name: '<b id="x">', color: "red", points: [[1, 1]] }],
      markers: [{ x: 2, badge: "1", title: "</title><script>alert(1)</script>", color: "red" }],
    });
    expect(svg).not.toMatch(/<(b|script|t)[ >]/);
    expect(svg).toContain("&lt;/title&gt;&lt;script&gt;");
    expect(svg).toContain("&lt;b id=&quot;x&quot;&gt;");
  });

  it("says there is no data instead of drawing an empty line", () => {
    const svg = renderLineChart({
      ...base,
      series: [{ name: "a", color: "red", points: [] }],
      emptyMessage: "none",
    });
    expect(svg).toContain(">none</text>");
    expect(svg).not.toContain('class="line"');
  });
});
