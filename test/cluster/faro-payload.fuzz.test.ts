// Fuzzing the Faro collector's edge: any JSON value is either refused by the schema (naming a field) or
// recorded without throwing, and nothing recorded leaves a histogram sum non-finite or negative.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createBrowserMetrics } from "../../lib/cluster/browser-metrics.js";
import { describeFirstIssue, faroPayloadSchema } from "../../lib/cluster/faro-payload.js";

const measurementType = fc.constantFrom("threat_render_latency", "ws_reconnect_duration", "web-vitals", "x");
const valueName = fc.constantFrom(
  "threat_render_latency",
  "ws_reconnect_duration",
  "lcp",
  "fcp",
  "cls",
  "delta",
);
const number = fc.oneof(
  fc.double(),
  fc.constantFrom(1e308, -1e308, -0, 3_600_000, 3_600_001, Number.MAX_VALUE, Number.MIN_VALUE),
);
const payload = fc.record(
  {
    meta: fc.oneof(fc.constant({ page: { attributes: { pod: "pod-a" } } }), fc.jsonValue({ maxDepth: 2 })),
    measurements: fc.array(
      fc.record({
        type: measurementType,
        values: fc.dictionary(valueName, number),
        timestamp: fc.string({ maxLength: 30 }),
        context: fc.option(fc.dictionary(fc.constantFrom("pod", "__proto__"), fc.string({ maxLength: 70 }))),
      }),
      { maxLength: 5 },
    ),
    exceptions: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: [] },
);

describe("Faro payloads", () => {
  it("are refused with a named field or recorded, never thrown on, and keep sums finite", async () => {
    const metrics = createBrowserMetrics();
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.anything(), payload), async (value) => {
        const parsed = faroPayloadSchema.safeParse(value);
        if (!parsed.success) {
          expect(describeFirstIssue(parsed.error)).toMatch(/^[\w.]+: /);
          return;
        }
        metrics.record(parsed.data);
        const text = await metrics.registry.metrics();
        for (const line of text.split("\n").filter((l) => /_seconds_sum/.test(l))) {
          const sum = Number(line.split(" ").at(-1));
          expect(Number.isFinite(sum) && sum >= 0, line).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
