// The --out building blocks on their own: remote-write bodies decode back to the series (snappy +
// protobuf, labels sorted as the protocol requires), interval quantiles from bucket deltas, and --out
// parsing with the bare-path meaning kept.
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import snappy from "snappyjs";
import { describe, expect, it } from "vitest";
import { parseOutputSpec } from "../../lib/engine/outputs/output-spec.js";
import { intervalQuantileMs } from "../../lib/engine/outputs/pod-interval-figures.js";
import { remoteWriteBody } from "../../lib/engine/outputs/remote-write-encoding.js";

interface Decoded {
  labels: [string, string][];
  samples: [number, number][];
}

function decodeWriteRequest(bytes: Uint8Array): Decoded[] {
  const reader = new BinaryReader(bytes);
  const series: Decoded[] = [];
  while (reader.pos < reader.len) {
    const [field] = reader.tag();
    expect(field).toBe(1);
    const ts = new BinaryReader(reader.bytes());
    const one: Decoded = { labels: [], samples: [] };
    while (ts.pos < ts.len) {
      const [tsField, wire] = ts.tag();
      expect(wire).toBe(WireType.LengthDelimited);
      const inner = new BinaryReader(ts.bytes());
      if (tsField === 1) {
        inner.tag();
        const name = inner.string();
        inner.tag();
        one.labels.push([name, inner.string()]);
      } else {
        inner.tag();
        const value = inner.double();
        inner.tag();
        one.samples.push([value, Number(inner.int64())]);
      }
    }
    series.push(one);
  }
  return series;
}

describe("remote write encoding", () => {
  it("round-trips series with sorted labels through snappy and protobuf", () => {
    const body = remoteWriteBody([
      {
        labels: { pod: "pod-a", __name__: "crosspod_frames_received_total", run: "r1" },
        samples: [
          { value: 5, timestampMs: 1_700_000_000_000 },
          { value: 7.5, timestampMs: 1_700_000_001_000 },
        ],
      },
    ]);
    expect(decodeWriteRequest(snappy.uncompress(body))).toEqual([
      {
        labels: [
          ["__name__", "crosspod_frames_received_total"],
          ["pod", "pod-a"],
          ["run", "r1"],
        ],
        samples: [
          [5, 1_700_000_000_000],
          [7.5, 1_700_000_001_000],
        ],
      },
    ]);
  });
});

describe("interval quantiles", () => {
  const buckets = (entries: [number, number][]) => new Map(entries);

  it("interpolates within the bucket the rank falls in, over what the interval added", () => {
    const before = buckets([
      [0.001, 10],
      [0.01, 10],
      [Number.POSITIVE_INFINITY, 10],
    ]);
    const after = buckets([
      [0.001, 10],
      [0.01, 110],
      [Number.POSITIVE_INFINITY, 110],
    ]);
    // 100 new observations, all in (1 ms, 10 ms]: the median is halfway.
    expect(intervalQuantileMs(before, after, 0.5)).toBeCloseTo(5.5, 5);
    expect(intervalQuantileMs(after, after, 0.5)).toBeUndefined();
  });
});

describe("--out values", () => {
  it.each([
    ["report.json", { kind: "json", path: "report.json" }],
    ["json=r.json", { kind: "json", path: "r.json" }],
    ["csv=s.csv", { kind: "csv", path: "s.csv" }],
    ["./a=b.json", { kind: "json", path: "./a=b.json" }],
    [
      "prometheus-rw=http://127.0.0.1:9090/api/v1/write",
      { kind: "prometheus-rw", url: "http://127.0.0.1:9090/api/v1/write" },
    ],
  ])("reads %s", (text, spec) => {
    expect(parseOutputSpec(text)).toEqual(spec);
  });

  it.each([
    ["csv=", /expected a file after "="/],
    ["otlp=http://127.0.0.1:4318", /not available yet/],
    ["prometheus-rw=http://u:secret@h:1/w", /credentials in the URL/],
  ])("refuses %s", (text, message) => {
    expect(() => parseOutputSpec(text)).toThrow(message);
    expect(() => parseOutputSpec(text)).not.toThrow(/secret/);
  });
});
