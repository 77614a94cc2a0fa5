import { describe, expect, it } from "vitest";
import { formatTraceparent, mintTraceparent, parseTraceparent } from "../../lib/core/trace-context.js";

const example = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

describe("W3C traceparent", () => {
  it("reads the spec's example and writes it back unchanged", () => {
    const parsed = parseTraceparent(example);
    expect(parsed).toEqual({
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      sampled: true,
    });
    expect(formatTraceparent(parsed as NonNullable<typeof parsed>)).toBe(example);
  });

  it("reads the sampled bit out of other flags", () => {
    expect(parseTraceparent(example.replace(/01$/, "03"))?.sampled).toBe(true);
    expect(parseTraceparent(example.replace(/01$/, "00"))?.sampled).toBe(false);
  });

  it("refuses malformed values and the all-zero ids", () => {
    for (const bad of [
      "",
      example.toUpperCase(),
      example.replace(/^00/, "01"),
      `${example}-extra`,
      `00-${"0".repeat(32)}-b7ad6b7169203331-01`,
      `00-0af7651916cd43dd8448eb211c80319c-${"0".repeat(16)}-01`,
    ]) {
      expect(parseTraceparent(bad), bad).toBeUndefined();
    }
  });

  it("mints a parseable root context, sampled by the ratio", () => {
    const hex = (digits: number) => "ab".repeat(digits / 2);
    const sampled = parseTraceparent(mintTraceparent(hex, 0.01, () => 0.005));
    expect(sampled).toEqual({ traceId: "ab".repeat(16), spanId: "ab".repeat(8), sampled: true });
    expect(parseTraceparent(mintTraceparent(hex, 0.01, () => 0.5))?.sampled).toBe(false);
    const zeros = (digits: number) => "0".repeat(digits);
    expect(parseTraceparent(mintTraceparent(zeros, 1, () => 0))).toBeDefined();
  });
});
