// HdrHistogram's V2 encoding, uncompressed: the form every HdrHistogram implementation reads (Java's
// decodeFromByteBuffer, hdr-histogram-js's decode). A 40-byte header, then the counts as ZigZag LEB128
// (at most 9 bytes each) where a negative value is a run of zero counts. crosspod writes it without the
// DEFLATE wrapper of the "compressed" form because k6 has no zlib: compressing would put a deflate library
// (pako) into every k6 bundle, and a latency histogram encodes to a few hundred bytes anyway.
import type { JsHistogram } from "hdr-histogram-js/dist/JsHistogram.js";
import { HistogramError } from "./histogram-error.js";

/** V2 cookie with the word-size byte's low bit set: counts are ZigZag LEB128 with zero runs. */
const v2Cookie = 0x1c849303 | 0x10;
const compressedV2Cookie = 0x1c849304 | 0x10;
const headerBytes = 40;
const twoTo32 = 2 ** 32;

class ByteWriter {
  private bytes = new Uint8Array(256);
  length = 0;

  put(byte: number): void {
    if (this.length === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[this.length++] = byte & 0xff;
  }

  putInt32At(offset: number, value: number): void {
    for (let shift = 24, i = 0; i < 4; shift -= 8, i++) this.bytes[offset + i] = (value >>> shift) & 0xff;
  }

  putInt32(value: number): void {
    for (let i = 0; i < 4; i++) this.put(0);
    this.putInt32At(this.length - 4, value);
  }

  putInt64(value: number): void {
    this.putInt32(Math.floor(value / twoTo32));
    this.putInt32(value % twoTo32);
  }

  /** LEB128-64b9B: 7 bits per byte for 8 bytes, then a full ninth byte. */
  putZigZag(value: number): void {
    let rest = value >= 0 ? value * 2 : -value * 2 - 1;
    for (let i = 0; i < 8; i++) {
      if (rest < 128) {
        this.put(rest);
        return;
      }
      this.put((rest % 128) | 0x80);
      rest = Math.floor(rest / 128);
    }
    this.put(rest);
  }

  take(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

export function encodeHdrV2(histogram: JsHistogram): Uint8Array {
  const out = new ByteWriter();
  out.putInt32(v2Cookie);
  out.putInt32(0); // payload length, written below
  out.putInt32(0); // normalizing index offset
  out.putInt32(histogram.numberOfSignificantValueDigits);
  out.putInt64(histogram.lowestDiscernibleValue);
  out.putInt64(histogram.highestTrackableValue);
  // integerToDoubleValueConversionRatio, the IEEE 754 bits of 1.0
  out.putInt32(0x3ff00000);
  out.putInt32(0);
  const limit = histogram.totalCount === 0 ? 0 : histogram.countsArrayIndex(histogram.maxValue) + 1;
  for (let index = 0; index < limit; ) {
    const count = histogram.getCountAtIndex(index++);
    if (count !== 0) {
      out.putZigZag(count);
      continue;
    }
    let zeros = 1;
    while (index < limit && histogram.getCountAtIndex(index) === 0) {
      zeros++;
      index++;
    }
    out.putZigZag(zeros > 1 ? -zeros : 0);
  }
  out.putInt32At(4, out.length - headerBytes);
  return out.take();
}

function int32At(bytes: Uint8Array, offset: number): number {
  return (
    (((bytes[offset] as number) << 24) |
      ((bytes[offset + 1] as number) << 16) |
      ((bytes[offset + 2] as number) << 8) |
      (bytes[offset + 3] as number)) >>>
    0
  );
}

function int64At(bytes: Uint8Array, offset: number): number {
  return int32At(bytes, offset) * twoTo32 + int32At(bytes, offset + 4);
}

/**
 * Adds the counts of a V2 encoding to `into`, which must have the same lowest value, highest value and
 * significant digits (crosspod's histograms all do). Throws HistogramError on anything else.
 */
export function decodeHdrV2Into(bytes: Uint8Array, into: JsHistogram): void {
  if (bytes.length < headerBytes) throw new HistogramError("too short for an HdrHistogram V2 header");
  const cookie = int32At(bytes, 0);
  if (cookie === compressedV2Cookie) {
    throw new HistogramError(
      "a DEFLATE-compressed HdrHistogram; crosspod reads the uncompressed V2 encoding",
    );
  }
  if (cookie !== v2Cookie) throw new HistogramError("not an HdrHistogram V2 encoding");
  const payloadBytes = int32At(bytes, 4);
  const digits = int32At(bytes, 12);
  const lowest = int64At(bytes, 16);
  const highest = int64At(bytes, 24);
  if (
    digits !== into.numberOfSignificantValueDigits ||
    lowest !== into.lowestDiscernibleValue ||
    highest !== into.highestTrackableValue
  ) {
    throw new HistogramError(
      `its range ${lowest}..${highest} µs at ${digits} digits differs from ${into.lowestDiscernibleValue}..${into.highestTrackableValue} at ${into.numberOfSignificantValueDigits}`,
    );
  }
  const end = headerBytes + payloadBytes;
  if (end > bytes.length) throw new HistogramError("its payload is cut short");
  let offset = headerBytes;
  let index = 0;
  while (offset < end) {
    let raw = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      if (offset >= end) throw new HistogramError("its payload ends inside a count");
      const byte = bytes[offset++] as number;
      if (i === 8) {
        raw += byte * scale;
        break;
      }
      raw += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) break;
      scale *= 128;
    }
    const value = raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
    if (value < 0) {
      index -= value;
      continue;
    }
    if (value > 0) {
      if (index >= into.countsArrayLength) throw new HistogramError("it holds values beyond one hour in µs");
      into.addToCountAtIndex(index, value);
    }
    index++;
  }
  into.establishInternalTackingValues();
}
