// Parsing frames off the bus: the fields the hub needs, the bytes kept as they came, foreign data refused.
import { describe, expect, it } from "vitest";
import { BusFrameError, parseBusFrame } from "../../lib/backend/bus-frame.js";

describe("bus frames", () => {
  it("reads seq and published_at and keeps the original bytes for every client", () => {
    const text =
      '{"type":"threat","seq":42,"id":"a","pod_origin":"p","published_at":1700000000123.456,"threat":{}}';
    const frame = parseBusFrame(text);
    expect(frame.seq).toBe(42);
    expect(frame.publishedAt).toBe(1700000000123.456);
    expect(frame.bytes.toString()).toBe(text);
  });

  it.each([
    ["not JSON", "{nope"],
    ["another frame type", '{"type":"hello","seq":1,"published_at":1}'],
    ["a missing seq", '{"type":"threat","published_at":1}'],
    ["a zero seq", '{"type":"threat","seq":0,"published_at":1}'],
    ["a fractional seq", '{"type":"threat","seq":1.5,"published_at":1}'],
    ["a string published_at", '{"type":"threat","seq":1,"published_at":"1"}'],
  ])("refuses %s", (_name, text) => {
    expect(() => parseBusFrame(text)).toThrow(BusFrameError);
  });
});
