// Prometheus remote write 1.0 on the wire: a WriteRequest protobuf (prompb: TimeSeries of sorted labels
// and samples), snappy block-compressed, as k6's remote-write output and Prometheus agents send it.
// @bufbuild/protobuf's BinaryWriter encodes the three small messages by hand, so no .proto toolchain or
// generated code is needed; snappyjs is pure JavaScript (no native build, no install script).
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import snappy from "snappyjs";

export interface RemoteSeries {
  /** Must include __name__. Sorted by name on encoding, as the protocol requires. */
  labels: Record<string, string>;
  samples: Array<{ value: number; timestampMs: number }>;
}

export const remoteWriteHeaders = {
  "content-type": "application/x-protobuf",
  "content-encoding": "snappy",
  "x-prometheus-remote-write-version": "0.1.0",
} as const;

export function encodeWriteRequest(series: readonly RemoteSeries[]): Uint8Array {
  const writer = new BinaryWriter();
  for (const one of series) {
    // WriteRequest.timeseries = 1
    writer.tag(1, WireType.LengthDelimited).fork();
    for (const name of Object.keys(one.labels).sort()) {
      // TimeSeries.labels = 1: Label { name = 1; value = 2 }
      writer
        .tag(1, WireType.LengthDelimited)
        .fork()
        .tag(1, WireType.LengthDelimited)
        .string(name)
        .tag(2, WireType.LengthDelimited)
        .string(one.labels[name] ?? "")
        .join();
    }
    for (const sample of one.samples) {
      // TimeSeries.samples = 2: Sample { double value = 1; int64 timestamp = 2 }
      writer
        .tag(2, WireType.LengthDelimited)
        .fork()
        .tag(1, WireType.Bit64)
        .double(sample.value)
        .tag(2, WireType.Varint)
        .int64(Math.round(sample.timestampMs))
        .join();
    }
    writer.join();
  }
  return writer.finish();
}

/** The HTTP body: the encoded WriteRequest, snappy-compressed. */
export function remoteWriteBody(series: readonly RemoteSeries[]): Uint8Array {
  return snappy.compress(encodeWriteRequest(series));
}
