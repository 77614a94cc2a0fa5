import { describe, expect, it } from "vitest";
import type { ThreatTrace } from "../../lib/core/threat-traces.js";
import { renderTraceWaterfall } from "../../lib/report/trace-waterfall.js";

const trace: ThreatTrace = {
  traceId: "0af7651916cd43dd8448eb211c80319c",
  seq: 3,
  totalMs: 40,
  spans: [
    {
      spanId: "a",
      name: "trigger threat",
      service: "crosspod-engine",
      offsetMs: 0,
      durationMs: 10,
      depth: 0,
    },
    {
      spanId: "b",
      parentSpanId: "a",
      name: "deliver threat",
      service: "crosspod-backend <pod>",
      pod: "<script>pod-b</script>",
      offsetMs: 20,
      durationMs: 20,
      depth: 1,
    },
  ],
};

describe("trace waterfall", () => {
  it("draws one bar per span on the trace's time axis, indented by depth", () => {
    const svg = renderTraceWaterfall(trace).markup;
    expect(svg.match(/<rect /g)).toHaveLength(2);
    // The delivery starts halfway along the 40 ms axis and ends at its right edge (330 + 650).
    expect(svg).toMatch(/<rect x="655\.0" y="\d+" width="325\.0"/);
    expect(svg).toMatch(/<text x="18" y="\d+" class="span-label">deliver threat/);
  });

  it("escapes every label", () => {
    const svg = renderTraceWaterfall(trace).markup;
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("&lt;script&gt;pod-b&lt;/script&gt;");
  });
});
